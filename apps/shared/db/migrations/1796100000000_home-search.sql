-- Fast home search (docs/read-side.md, "Queries"): get_homes and search_homes match the search
-- text anywhere in a home's id, name, city, postal code or street (ILIKE '%text%'). A trigram
-- GIN index over those fields joined by spaces finds the candidate rows; the queries then check
-- each field on its own, so a match never spans two fields. The expression here and
-- HOME_SEARCH_TEXT in apps/queries/reads.ts must stay the same text, or the index is not used
-- (test/readside/queries.test.ts checks the plan).

-- Up Migration

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX home_states_search_idx ON home_states USING gin (
  (home_id || ' ' || coalesce(name, '') || ' ' || coalesce(city, '') || ' ' || coalesce(postal_code, '')
    || ' ' || coalesce(street, '')) gin_trgm_ops
);

-- Down Migration
DROP INDEX home_states_search_idx;
