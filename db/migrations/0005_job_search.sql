-- The console's job text search reads one lower-cased column per job: reference, title, the property's
-- postcode (with and without its space) and first address line. Triggers keep it current; a trigram GIN
-- index makes `ilike '%…%'` fast at 100 000 jobs when pg_trgm is available (it is in embedded-postgres).
-- Without pg_trgm the search still works, as a scan.
CREATE OR REPLACE FUNCTION job_search_text(ref text, title text, property uuid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT lower(concat_ws(' ', ref, title, p.postcode, replace(p.postcode, ' ', ''), p.line1))
  FROM (SELECT 1) one LEFT JOIN properties p ON p.id = property
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION jobs_search_text_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := job_search_text(NEW.reference, NEW.title, NEW.property_id);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER jobs_search_text BEFORE INSERT OR UPDATE OF reference, title, property_id ON jobs
FOR EACH ROW EXECUTE FUNCTION jobs_search_text_trigger();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION properties_search_text_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE jobs SET search_text = job_search_text(reference, title, property_id) WHERE property_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER properties_search_text AFTER UPDATE OF postcode, line1 ON properties
FOR EACH ROW EXECUTE FUNCTION properties_search_text_trigger();
--> statement-breakpoint
UPDATE jobs SET search_text = job_search_text(reference, title, property_id);
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm is available but this role may not create it; job search will scan';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS jobs_search_trgm_idx ON jobs USING gin (search_text gin_trgm_ops);
  END IF;
END $$;
