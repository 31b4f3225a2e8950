/**
 * The leavers' record of a person (that Microsoft 365 no longer knows them, and since when) as
 * part of "export my data" and "erase me": an admin may erase someone before the grace period
 * ends, and the record holds their object id.
 */
import type { PersonalDataContributor } from '../personal-data/personal-data.js';
import { DepartureModel, type DepartureRecord } from './departure.model.js';
import { DeparturesRepository } from './departures.repository.js';

export function departuresPersonalData(repository = new DeparturesRepository()): PersonalDataContributor {
  const of = (s: { tenantId: string; userId: string }) => ({ tenantId: s.tenantId, userId: s.userId });
  return {
    name: 'departures',
    files: [
      {
        name: 'departure.json',
        describe: {
          nl: 'Of Microsoft 365 je niet meer kent als lid of gast van de organisatie, sinds wanneer en waarom (alleen als dat zo is).',
          en: 'Whether Microsoft 365 no longer knows you as a member or guest of the organisation, since when and why (only if so).',
        },
        count: (s) => DepartureModel.countDocuments(of(s)),
        async *records(s) {
          for (const d of await DepartureModel.find(of(s)).lean<DepartureRecord[]>()) yield { leftAt: d.leftAt, reason: d.reason };
        },
      },
    ],
    async erase(s) {
      await repository.remove(s.tenantId, s.userId);
    },
  };
}
