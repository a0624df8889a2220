/** Topic and procedure names of domain.md §2–4, in one place. */
export const TOPICS = {
  timeAdvanced: 'be.cortexiq.simulation.time_advanced',
  stateChanged: 'be.cortexiq.simulation.state_changed',
  reset: 'be.cortexiq.simulation.reset',
  homeInitialized: 'be.cortexiq.home.initialized',
  homeConnected: 'be.cortexiq.home.connected',
  homeDisconnected: 'be.cortexiq.home.disconnected',
  homeMeasured: 'be.cortexiq.home.measured',
  homeTraded: 'be.cortexiq.home.traded',
  balanceUpdated: 'be.cortexiq.balance.updated',
  contractSwitched: 'be.cortexiq.contract.switched',
  contractExpired: 'be.cortexiq.contract.expired',
  contractProposed: 'be.cortexiq.market.contract_proposed',
  spotPriceUpdated: 'be.cortexiq.market.spot_price_updated',
  contractConfirmed: 'be.cortexiq.market.contract_confirmed',
  contractRejected: 'be.cortexiq.market.contract_rejected',
} as const;

export const PROCEDURES = {
  pause: 'be.cortexiq.simulation.pause',
  resume: 'be.cortexiq.simulation.resume',
  reset: 'be.cortexiq.simulation.reset',
  setSpeed: 'be.cortexiq.simulation.set_speed',
  status: 'be.cortexiq.simulation.status',
  acceptOffer: (providerId: string) => `be.cortexiq.provider.${providerId}.accept_offer`,
} as const;
