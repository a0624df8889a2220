-- The read models (docs/read-side.md, "Read models"). Written only by the projections app,
-- read by the queries app. Columns follow the event fields they come from (snake_case, W on the
-- wire, kWh and EUR as named); every simulated instant is timestamptz.

-- Up Migration

-- One row per home: identity from home.initialized, the latest measurement, the latest balance,
-- and running totals of applied trades. Updated in place many times per second: keep room on
-- each page for HOT updates.
CREATE TABLE home_states (
  home_id text PRIMARY KEY,
  name text,
  region text,
  city text,
  postal_code text,
  street text,
  latitude double precision,
  longitude double precision,
  iot_provider text,
  electricity_ean text,
  solar_capacity_kw double precision,
  battery_capacity_kwh double precision,
  annual_consumption_kwh double precision,
  connected boolean NOT NULL DEFAULT false,
  -- simulation_time of the latest connected/disconnected applied (late ones are ignored)
  connection_changed_at timestamptz,
  disconnect_reason text,
  provider_id text,
  contract_id text,
  production_w double precision,
  consumption_w double precision,
  power_w double precision,
  battery_kwh double precision,
  state_of_charge_pct double precision,
  energy_import_kwh double precision,
  energy_export_kwh double precision,
  tariff smallint,
  month_peak_kw double precision,
  -- simulation_time of the latest home.measured applied (late ones are ignored)
  measured_at timestamptz,
  -- the latest balance.updated: totals of the current contract period
  balance_period_start timestamptz,
  balance_import_kwh double precision,
  balance_export_kwh double precision,
  balance_import_cost double precision,
  balance_export_revenue double precision,
  balance_net_cost double precision,
  balance_eur double precision,
  balance_at timestamptz,
  -- sums over the home.traded events applied (each once: energy_trades dedupes them)
  cost_eur double precision NOT NULL DEFAULT 0,
  revenue_eur double precision NOT NULL DEFAULT 0,
  trades_import_kwh double precision NOT NULL DEFAULT 0,
  trades_export_kwh double precision NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 50);
CREATE INDEX home_states_region_idx ON home_states (region, home_id);
CREATE INDEX home_states_city_idx ON home_states (lower(city), home_id);
CREATE INDEX home_states_provider_idx ON home_states (provider_id);

CREATE TABLE provider_states (
  provider_id text PRIMARY KEY,
  provider_name text,
  strategy text,
  region text,
  contract_type text,
  offer_id text,
  offer jsonb,
  offered_at timestamptz,
  spot_hours jsonb,
  spot_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The world: one row, from simulation.time_advanced / state_changed.
CREATE TABLE system_stats (
  id smallint PRIMARY KEY CHECK (id = 1),
  simulation_time timestamptz,
  speed double precision,
  paused boolean NOT NULL DEFAULT false,
  tick bigint,
  day_ahead_eur_per_kwh double precision,
  -- simulation_time of the latest tick or state change applied to speed/paused
  state_at timestamptz,
  reset_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO system_stats (id) VALUES (1);

-- Per region: the weather of the latest simulated day, and figures the aggregator refreshes.
CREATE TABLE region_stats (
  region text PRIMARY KEY,
  weather_date date,
  sunshine double precision,
  temperature_c double precision,
  total_homes integer NOT NULL DEFAULT 0,
  connected_homes integer NOT NULL DEFAULT 0,
  production_w double precision NOT NULL DEFAULT 0,
  consumption_w double precision NOT NULL DEFAULT 0,
  avg_battery_pct double precision,
  contract_switches integer NOT NULL DEFAULT 0,
  avg_bill_eur_per_month double precision,
  refreshed_at timestamptz
);

CREATE TABLE contract_switches (
  event_id text PRIMARY KEY,
  home_id text NOT NULL,
  region text,
  old_provider_id text,
  new_provider_id text NOT NULL,
  old_contract_id text,
  new_contract_id text NOT NULL,
  baseline_cost double precision,
  new_cost double precision,
  discount double precision,
  gross_savings double precision,
  commission double precision,
  net_savings double precision,
  simulation_time timestamptz NOT NULL
);
CREATE INDEX contract_switches_home_idx ON contract_switches (home_id, simulation_time);
CREATE INDEX contract_switches_region_idx ON contract_switches (region);

-- Offers, confirmations, rejections and expiries, as they came.
CREATE TABLE contract_events (
  event_id text PRIMARY KEY,
  event_type text NOT NULL,
  home_id text,
  provider_id text,
  contract_id text,
  offer_id text,
  simulation_time timestamptz NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX contract_events_home_idx ON contract_events (home_id, simulation_time) WHERE home_id IS NOT NULL;
CREATE INDEX contract_events_provider_idx ON contract_events (provider_id, simulation_time);

-- One row per home.measured (per home per tick): the home's history. A home has one measurement
-- per simulated instant, so (home_id, simulation_time) is the key replays are dropped by: the
-- one index the history queries need anyway (docs/read-side.md: why not a second one on event_id).
CREATE TABLE energy_events (
  home_id text NOT NULL,
  simulation_time timestamptz NOT NULL,
  event_id text NOT NULL,
  production_w double precision NOT NULL,
  consumption_w double precision NOT NULL,
  power_w double precision NOT NULL,
  battery_kwh double precision,
  state_of_charge_pct double precision,
  energy_import_kwh double precision,
  energy_export_kwh double precision,
  tariff smallint,
  provider_id text,
  PRIMARY KEY (home_id, simulation_time)
);

-- One row per home.traded (per home per tick): the tick's totals, split by tariff period, and
-- volume-weighted prices. The hourly detail is not kept: at the default speed one tick carries
-- about 29 hours, and 3,000 homes' hours of a year would be gigabytes (docs/read-side.md).
CREATE TABLE energy_trades (
  home_id text NOT NULL,
  simulation_time timestamptz NOT NULL,
  event_id text NOT NULL,
  provider_id text,
  contract_id text,
  first_hour timestamptz,
  hours smallint NOT NULL,
  grid_import_kwh double precision NOT NULL,
  grid_export_kwh double precision NOT NULL,
  import_day_kwh double precision NOT NULL,
  import_night_kwh double precision NOT NULL,
  import_cost double precision NOT NULL,
  export_revenue double precision NOT NULL,
  net_cost double precision NOT NULL,
  energy_price_per_kwh double precision,
  network_price_per_kwh double precision,
  export_price_per_kwh double precision,
  PRIMARY KEY (home_id, simulation_time)
);

CREATE TABLE home_bills (
  home_id text NOT NULL,
  month text NOT NULL,
  event_id text NOT NULL,
  region text,
  provider_id text,
  contract_id text,
  consumption_kwh double precision,
  production_kwh double precision,
  self_consumed_kwh double precision,
  import_kwh double precision,
  export_kwh double precision,
  peak_kw double precision,
  energy_cost double precision,
  network_cost double precision,
  capacity_cost double precision,
  fixed_cost double precision,
  vat double precision,
  export_revenue double precision,
  total double precision NOT NULL,
  simulation_time timestamptz NOT NULL,
  PRIMARY KEY (home_id, month)
);
CREATE INDEX home_bills_region_idx ON home_bills (region) INCLUDE (total);

-- The national day-ahead price, one row per simulated hour.
CREATE TABLE market_prices (
  hour timestamptz PRIMARY KEY,
  eur_per_kwh double precision NOT NULL
);

-- Figures the aggregator samples every second (wall clock), kept for a bounded window.
CREATE TABLE metrics_timeseries (
  metric text NOT NULL,
  recorded_at timestamptz NOT NULL,
  simulation_time timestamptz,
  value double precision NOT NULL,
  PRIMARY KEY (metric, recorded_at)
);
CREATE INDEX metrics_timeseries_time_idx ON metrics_timeseries (recorded_at);

-- Down Migration
DROP TABLE metrics_timeseries, market_prices, home_bills, energy_trades, energy_events,
  contract_events, contract_switches, region_stats, system_stats, provider_states, home_states;
