import { Type, type Static } from '@sinclair/typebox';
import { ActionSchema, validateActions } from '../attributes/config.js';

/** The collector's resource processor: attribute actions on each batch's resource. */
export const ResourceSchema = Type.Object(
  {
    attributes: Type.Array(ActionSchema, {
      default: [],
      description:
        "The attributes processor's actions (insert, update, upsert, delete, hash, extract, convert; same keys) applied in order to the resource of every resource group; empty is accepted with a warning (the collector requires one).",
    }),
  },
  { additionalProperties: false, description: "Applies the attributes processor's actions to the resource of every resource group." },
);
export type ResourceConfig = Static<typeof ResourceSchema>;

export function validateResource(cfg: ResourceConfig): string[] {
  return validateActions(cfg.attributes, 'attributes');
}
