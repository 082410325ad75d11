/**
 * Writes docs/schema.md from the one schema definition. Run `npm run docs:schema` after changing
 * transform/src/schema.ts; a test fails while the committed page differs from the generated one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaDoc } from '../transform/src/schema-doc';

writeFileSync(join(__dirname, '..', 'docs', 'schema.md'), schemaDoc());
