// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// The submitter's own company must never be matched to its opportunity, and people spell their
// company differently each time ("Contoso Ltd", "Contoso Limited", "CONTOSO LTD."). company_key()
// is the name without case, punctuation and trailing legal forms; partners keep it in a stored
// generated column, so matching compares one indexed-free text per candidate, not a regexp.
// The legal forms are the common ones of the regions we serve (UK/IE, US, DACH, FR/BE, NL,
// Nordics, ES/IT/PT, CEE, ANZ, India); "& Co." and "and company" go with them.
const LEGAL_FORMS = [
  'ltd', 'limited', 'plc', 'llp', 'lp', 'llc', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'companies',
  'gmbh', 'mbh', 'ag', 'kg', 'ug', 'ohg', 'ev', 'se', 'sa', 'sas', 'sasu', 'sarl', 'eurl', 'sprl', 'srl', 'spa', 'sl', 'slu',
  'bv', 'nv', 'vof', 'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'a', 's', 'pty', 'pvt', 'private', 'kft', 'zrt', 'sp', 'z', 'o',
  'oo', 'sro', 'doo', 'ou', 'uab', 'sia', 'lda', 'and', 'the', 'group', 'holding', 'holdings',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const forms = LEGAL_FORMS.join('|');
  // Lower case, "&" as "and", dots dropped ("G.m.b.H." is "gmbh"), other punctuation as spaces,
  // then a leading "the" and the run of legal forms at the end go; a name that is nothing but
  // legal forms keeps its words.
  await sql`
    CREATE FUNCTION company_key(name text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      RETURN coalesce(
        nullif(btrim(regexp_replace(regexp_replace(regexp_replace(
          ' ' || regexp_replace(replace(replace(lower(name), '.', ''), '&', ' and '), '[^[:alnum:]]+', ' ', 'g') || ' ',
          '^ the ', ' '),
          ${sql.raw(`'( (${forms}))+ *$'`)}, ' '),
          ' +', ' ', 'g')), ''),
        btrim(regexp_replace(lower(name), '[^[:alnum:]]+', ' ', 'g')))
  `.execute(db);
  await sql`ALTER TABLE partners ADD COLUMN company_key text GENERATED ALWAYS AS (company_key(company)) STORED`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE partners DROP COLUMN company_key`.execute(db);
  await sql`DROP FUNCTION company_key(text)`.execute(db);
}
