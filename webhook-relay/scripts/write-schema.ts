// Writes schema/handoff-v1.json from the TypeBox schema (the single source). A test fails when it is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { handoffSchemaJson } from '../src/handoff/schema-json.js';

writeFileSync(path.join(import.meta.dirname, '../schema/handoff-v1.json'), handoffSchemaJson());
