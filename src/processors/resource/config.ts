import { Type, type Static } from '@sinclair/typebox';
import { ActionSchema, validateActions } from '../attributes/config.js';

/** The collector's resource processor: attribute actions on each batch's resource. */
export const ResourceSchema = Type.Object(
  {
    attributes: Type.Array(ActionSchema, {
      default: [],
      description: 'Actions (insert, update, upsert, delete, hash, extract, convert) applied in order to every resource.',
    }),
  },
  { additionalProperties: false },
);
export type ResourceConfig = Static<typeof ResourceSchema>;

export function validateResource(cfg: unknown): string[] {
  return validateActions((cfg as ResourceConfig).attributes, 'attributes');
}
