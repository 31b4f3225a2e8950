/**
 * The one `toJSON` of our mongoose schemas: no version key, `_id` becomes `id` (or another
 * field stands in as `id`, or there is none), and internal fields stay out of the JSON.
 * Apply with `schema.plugin(toJsonPlugin, options)`.
 */
import type { Schema } from 'mongoose';

export interface ToJsonOptions {
  /** What becomes `id`: `_id` as a string (default), another field's value, or nothing. */
  id?: '_id' | { from: string } | false;
  /** Fields that never leave the database this way. */
  hide?: readonly string[];
}

export function toJsonPlugin(schema: Schema, options: ToJsonOptions = {}): void {
  const id = options.id ?? '_id';
  const hide = options.hide ?? [];
  schema.set('toJSON', {
    versionKey: false,
    transform: (_doc: unknown, ret: Record<string, unknown>) => {
      if (id === '_id') ret.id = String(ret._id);
      else if (id) ret.id = ret[id.from];
      delete ret._id;
      for (const field of hide) delete ret[field];
      return ret;
    },
  });
}
