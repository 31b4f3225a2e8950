/**
 * Compares the personal-data catalogue with the schemas of the registered mongoose models:
 * every schema path must be explained, every explained path must exist, every model must have
 * an entry (and its collection named right). The test of the catalogue runs it over every
 * model in src/; a problem is one line naming the model and the path.
 */
import type mongoose from 'mongoose';
import { COMMON_FIELDS, type CatalogueEntry } from './personal-data-catalogue.js';

export interface ModelShape {
  model: string;
  collection: string;
  paths: string[];
}

/** Every path of a schema, those inside nested schemas (arrays of subdocuments, single nested) too, dotted. */
/** What the walk needs of a schema (mongoose's own generics make `Schema` too narrow to pass any model's). */
interface PathWalkable {
  eachPath(fn: (path: string, type: unknown) => void): unknown;
}

export function schemaPaths(schema: PathWalkable, prefix = ''): string[] {
  const out: string[] = [];
  schema.eachPath((path, type) => {
    out.push(prefix + path);
    const nested = (type as { schema?: PathWalkable }).schema;
    if (nested) out.push(...schemaPaths(nested, `${prefix}${path}.`));
  });
  return out;
}

/** The models registered on a mongoose instance, with their collection and paths. */
export function modelShapes(instance: typeof mongoose): ModelShape[] {
  return instance
    .modelNames()
    .sort()
    .map((name) => {
      const model = instance.model(name);
      return { model: name, collection: model.collection.collectionName, paths: schemaPaths(model.schema) };
    });
}

export function catalogueProblems(shapes: readonly ModelShape[], catalogue: readonly CatalogueEntry[]): string[] {
  const problems: string[] = [];
  const entries = new Map<string, CatalogueEntry>();
  for (const entry of catalogue) {
    if (entries.has(entry.model)) problems.push(`${entry.model}: explained twice in the catalogue`);
    entries.set(entry.model, entry);
  }
  const models = new Set(shapes.map((s) => s.model));
  for (const shape of shapes) {
    const entry = entries.get(shape.model);
    if (!entry) {
      problems.push(`${shape.model} (${shape.collection}): a model the personal-data catalogue does not explain`);
      continue;
    }
    if (entry.collection !== shape.collection) problems.push(`${shape.model}: the catalogue says collection ${entry.collection}, the model uses ${shape.collection}`);
    const paths = new Set(shape.paths);
    for (const path of shape.paths) {
      if (!Object.hasOwn(entry.fields, path) && !Object.hasOwn(COMMON_FIELDS, path)) problems.push(`${shape.model}.${path}: a field the personal-data catalogue does not explain`);
    }
    for (const path of Object.keys(entry.fields)) {
      if (!paths.has(path)) problems.push(`${shape.model}.${path}: the catalogue explains a field the model does not have`);
    }
  }
  for (const entry of catalogue) {
    if (!models.has(entry.model)) problems.push(`${entry.model}: the catalogue explains a model that does not exist`);
  }
  return problems;
}
