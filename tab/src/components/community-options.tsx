/** The options of a community picker (a Fluent `Select`): a placeholder for "none chosen", then each community by name. */
import type { CommunitySummary } from '../api/communities-api.js';

export function CommunityOptions({ placeholder, communities }: { placeholder: string; communities: readonly Pick<CommunitySummary, 'id' | 'name'>[] }) {
  return (
    <>
      <option value="">{placeholder}</option>
      {communities.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </>
  );
}
