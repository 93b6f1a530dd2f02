/**
 * `npm run docs`: writes docs/options.md from the option definitions (see
 * src/cli/options-reference.ts), and the published JSON Schema of the --json document from
 * src/schema/summary-schema.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMergeProgram } from '../src/cli/merge-command.js';
import { buildProgram } from '../src/cli/options.js';
import { renderOptionsReference } from '../src/cli/options-reference.js';
import { SCHEMA_PATH, schemaFileText } from '../src/schema/schema-file.js';
import { REPO_ROOT } from '../test/helpers/paths.js';

const path = join(REPO_ROOT, 'docs', 'options.md');
writeFileSync(path, renderOptionsReference([buildProgram(), buildMergeProgram()]));
process.stdout.write(`wrote ${path}\n`);
const schemaPath = join(REPO_ROOT, SCHEMA_PATH);
writeFileSync(schemaPath, schemaFileText());
process.stdout.write(`wrote ${schemaPath}\n`);
