/**
 * Every topic and procedure name of the domain (docs/domain.md), in one place. Publishers and
 * subscribers import these; nothing else spells a topic.
 */
export const TOPICS = {
  // The world (simulation app, hub).
  timeAdvanced: 'be.cortexiq.simulation.time_advanced',
  stateChanged: 'be.cortexiq.simulation.state_changed',
  reset: 'be.cortexiq.simulation.reset',
  // Homes (one app per region).
  homeInitialized: 'be.cortexiq.home.initialized',
  homeConnected: 'be.cortexiq.home.connected',
  homeDisconnected: 'be.cortexiq.home.disconnected',
  homeMeasured: 'be.cortexiq.home.measured',
  homeTraded: 'be.cortexiq.home.traded',
  homeBilled: 'be.cortexiq.home.billed',
  balanceUpdated: 'be.cortexiq.balance.updated',
  contractSwitched: 'be.cortexiq.contract.switched',
  contractExpired: 'be.cortexiq.contract.expired',
  // Providers (utilities app, one per region).
  contractProposed: 'be.cortexiq.market.contract_proposed',
  spotPriceUpdated: 'be.cortexiq.market.spot_price_updated',
  contractConfirmed: 'be.cortexiq.market.contract_confirmed',
  contractRejected: 'be.cortexiq.market.contract_rejected',
  // Aggregates the projections app publishes (hub).
  totalsCalculated: 'be.cortexiq.projections.totals_calculated',
  historyUpdated: 'be.cortexiq.projections.history_updated',
  providerMetricsCalculated: 'be.cortexiq.provider.metrics_calculated',
  cityMeasured: 'be.cortexiq.city.measured',
  metricsThroughput: 'be.cortexiq.metrics.throughput',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Everything the domain publishes, for the projections' one durable subscription. */
export const ALL_EVENTS_PATTERN = 'be.cortexiq.>';

const QUERIES = 'be.cortexiq.energy.queries';

export const PROCEDURES = {
  pause: 'be.cortexiq.simulation.pause',
  resume: 'be.cortexiq.simulation.resume',
  reset: 'be.cortexiq.simulation.reset',
  setSpeed: 'be.cortexiq.simulation.set_speed',
  status: 'be.cortexiq.simulation.status',
  acceptOffer: (providerId: string) => `be.cortexiq.provider.${providerId}.accept_offer`,
  getOverview: `${QUERIES}.get_overview`,
  getHome: `${QUERIES}.get_home`,
  getHomes: `${QUERIES}.get_homes`,
  getProviders: `${QUERIES}.get_providers`,
  searchHomes: `${QUERIES}.search_homes`,
  getLocations: `${QUERIES}.get_locations`,
  getHomesByLocation: `${QUERIES}.get_homes_by_location`,
  getHomeHistory: `${QUERIES}.get_home_history`,
  getHomeTrades: `${QUERIES}.get_home_trades`,
  getHomeBills: `${QUERIES}.get_home_bills`,
  getMarketPrices: `${QUERIES}.get_market_prices`,
  homeExists: `${QUERIES}.home_exists`,
  providerExists: `${QUERIES}.provider_exists`,
  getRegionSummary: `${QUERIES}.get_region_summary`,
  registerHome: 'be.cortexiq.energy.projections.register_home',
} as const;
