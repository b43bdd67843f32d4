-- A certificate is a PDF whose streams are already deflated: PostgreSQL's own compression (pglz) spends CPU on every
-- insert and saves nothing, so the bytes go out of line uncompressed.
ALTER TABLE certificates ALTER COLUMN pdf SET STORAGE EXTERNAL;
