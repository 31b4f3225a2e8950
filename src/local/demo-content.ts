/**
 * What the demo organisation talks about: a community of farmers and advisers around soil
 * and water quality (manure, nitrogen), a closed community for the water board's civil
 * servants, discussions with replies and reactions, and upcoming knowledge sessions (one
 * online, one on location, one already full with a waitlist). People write in Dutch, as they
 * would; the partner consultant writes in English. Demo people are referred to by key.
 */
export type DemoPersonKey = 'sanne' | 'mark' | 'gerrit' | 'fatima' | 'ingrid';

export const DEMO_PERSON_IDS: Record<DemoPersonKey, string> = {
  sanne: '0b6f3c1e-2a4d-4c8e-9f10-00000000b001',
  mark: '0b6f3c1e-2a4d-4c8e-9f10-00000000b002',
  gerrit: '0b6f3c1e-2a4d-4c8e-9f10-00000000b003',
  fatima: '0b6f3c1e-2a4d-4c8e-9f10-00000000b004',
  ingrid: '0b6f3c1e-2a4d-4c8e-9f10-00000000b005',
};

export interface DemoCommunity {
  key: 'bodem-water' | 'waterschap-intern';
  createdBy: DemoPersonKey;
  name: string;
  description: string;
  tags: string[];
  visibility: 'public' | 'closed' | 'secret';
  guestsAllowed: boolean;
  members: Array<{ person: DemoPersonKey; role: 'manager' | 'member' }>;
}

export const DEMO_COMMUNITIES: DemoCommunity[] = [
  {
    key: 'bodem-water',
    createdBy: 'mark',
    name: 'Bodem en water: mest, stikstof en waterkwaliteit',
    description:
      'Boeren, adviseurs en het waterschap delen kennis over **bemesten**, stikstof en de kwaliteit van grond- en oppervlaktewater.\n\n' +
      '- Vragen over de mestwetgeving en bufferstroken\n- Ervaringen met vanggewassen en bodemleven\n- Aankondigingen van kennissessies\n\n' +
      '*Farmers, advisers and the water board share what they know about manure, nitrogen and water quality.*',
    tags: ['mest', 'stikstof', 'waterkwaliteit', 'bodem'],
    visibility: 'public',
    guestsAllowed: true,
    members: [
      { person: 'mark', role: 'manager' },
      { person: 'sanne', role: 'manager' },
      { person: 'gerrit', role: 'member' },
      { person: 'fatima', role: 'member' },
    ],
  },
  {
    key: 'waterschap-intern',
    createdBy: 'sanne',
    name: 'Beleidsteam waterkwaliteit (intern)',
    description:
      'Besloten community voor medewerkers van het waterschap: voorbereiding van het gebiedsproces, conceptnotities en afstemming met de provincie.',
    tags: ['beleid', 'KRW', 'gebiedsproces'],
    visibility: 'closed',
    guestsAllowed: false,
    members: [
      { person: 'sanne', role: 'manager' },
      { person: 'mark', role: 'member' },
      { person: 'ingrid', role: 'member' },
    ],
  },
];

export interface DemoDiscussion {
  key: string;
  community: DemoCommunity['key'];
  author: DemoPersonKey;
  kind: 'discussion' | 'question';
  title: string;
  body: string;
  tags: string[];
  replies: Array<{ author: DemoPersonKey; body: string; accepted?: boolean; reactions?: Array<{ person: DemoPersonKey; kind: 'like' | 'thanks' | 'insightful' }> }>;
  reactions: Array<{ person: DemoPersonKey; kind: 'like' | 'thanks' | 'insightful' }>;
}

export const DEMO_DISCUSSIONS: DemoDiscussion[] = [
  {
    key: 'bufferstroken',
    community: 'bodem-water',
    author: 'gerrit',
    kind: 'question',
    title: 'Hoe breed moet een bufferstrook langs een watergang vanaf 2027?',
    body:
      'Op ons bedrijf grenzen drie percelen aan een A-watergang. Ik hoor verschillende verhalen over de breedte van de bufferstrook ' +
      'en of je daar nog mag **bemesten**. Wie weet hoe het zit, en telt de strook mee voor de GLB-eco-regeling?',
    tags: ['mest', 'bufferstroken', 'waterkwaliteit'],
    replies: [
      {
        author: 'sanne',
        body:
          'Langs waterlopen die in de legger als "waterlopen met ecologische doelstelling" staan, geldt een teeltvrije zone. ' +
          'Op de kaart van het waterschap zie je per watergang welke breedte geldt. Bemesten binnen die zone mag niet.',
        accepted: true,
        reactions: [{ person: 'gerrit', kind: 'thanks' }, { person: 'mark', kind: 'like' }],
      },
      {
        author: 'mark',
        body: 'Aanvulling: met een vanggewas of kruidenrijk grasland op de strook kun je vaak wél meedoen aan de eco-regeling. Vraag het na bij je adviseur.',
      },
    ],
    reactions: [{ person: 'fatima', kind: 'like' }],
  },
  {
    key: 'stikstof-metingen',
    community: 'bodem-water',
    author: 'fatima',
    kind: 'discussion',
    title: 'Nitrate readings after the wet autumn: what are you seeing?',
    body:
      'We sampled twelve monitoring wells in the Achterhoek last week. Nitrate in the upper groundwater is higher than last year on sandy soils, ' +
      'probably leaching after the heavy rain in October. Are others seeing the same? Happy to share the sampling protocol.',
    tags: ['stikstof', 'nitraat', 'grondwater'],
    replies: [
      { author: 'gerrit', body: 'Bij ons op de zandgrond ook. We hebben dit jaar later gezaaid met het vanggewas, dat scheelt waarschijnlijk.' },
      { author: 'sanne', body: 'Interessant! Kun je het protocol hier delen? Dan leggen we het naast onze eigen meetpunten.', reactions: [{ person: 'fatima', kind: 'like' }] },
    ],
    reactions: [{ person: 'mark', kind: 'insightful' }, { person: 'sanne', kind: 'like' }],
  },
  {
    key: 'gebiedsproces',
    community: 'waterschap-intern',
    author: 'sanne',
    kind: 'discussion',
    title: 'Conceptnotitie gebiedsproces Baakse Beek: reacties vóór 15 december',
    body: 'De conceptnotitie voor het gebiedsproces staat klaar. Graag jullie reacties op de paragraaf over maatregelen bij agrariërs vóór 15 december.',
    tags: ['gebiedsproces', 'KRW'],
    replies: [{ author: 'ingrid', body: 'Gelezen. In paragraaf 3 mist nog de planning richting de provincie; die lever ik aan.' }],
    reactions: [{ person: 'mark', kind: 'like' }],
  },
];

export interface DemoEvent {
  key: string;
  community: DemoCommunity['key'];
  organiser: DemoPersonKey;
  title: string;
  description: string;
  /** Days from the seeding day, at the given local hour (Europe/Amsterdam). */
  inDays: number;
  startHour: number;
  durationHours: number;
  online: boolean;
  location?: { name: string; address?: { street: string; postalCode: string; city: string } };
  capacity?: number;
  waitlist: boolean;
  guestsMaySignUp: boolean;
  /** Who signs up, in this order (the full session fills and then waitlists). */
  signUps: DemoPersonKey[];
}

export const DEMO_EVENTS: DemoEvent[] = [
  {
    key: 'webinar-mestwetgeving',
    community: 'bodem-water',
    organiser: 'mark',
    title: 'Online kennissessie: de mestwetgeving van 2027 in een uur',
    description: 'Wat verandert er voor derogatie, bufferstroken en gebruiksnormen? Met ruimte voor vragen. De Teams-link staat in je agenda.',
    inDays: 9,
    startHour: 20,
    durationHours: 1,
    online: true,
    capacity: 100,
    waitlist: true,
    guestsMaySignUp: true,
    signUps: ['gerrit', 'sanne'],
  },
  {
    key: 'veldbezoek-bodemleven',
    community: 'bodem-water',
    organiser: 'mark',
    title: 'Veldbezoek: bodemleven en vanggewassen',
    description: 'We lopen over het proefveld en bekijken bodemprofielen. Neem laarzen mee. Koffie staat klaar in de kantine.',
    inDays: 16,
    startHour: 13,
    durationHours: 3,
    online: false,
    location: { name: 'Proefboerderij De Marke', address: { street: 'Mansholtlaan 1', postalCode: '7255 PS', city: 'Hengelo (Gld)' } },
    capacity: 25,
    waitlist: true,
    guestsMaySignUp: true,
    signUps: ['fatima'],
  },
  {
    key: 'keukentafel-stikstof',
    community: 'bodem-water',
    organiser: 'sanne',
    title: 'Keukentafelgesprek stikstof (kleine groep)',
    description: 'Een gesprek in kleine kring over stikstof en het gebiedsproces. Vol? Zet je op de wachtlijst: je schuift vanzelf door als er een plek vrijkomt.',
    inDays: 5,
    startHour: 19,
    durationHours: 2,
    online: false,
    location: { name: 'Waterschapshuis', address: { street: 'Liemersweg 2', postalCode: '7006 GG', city: 'Doetinchem' } },
    capacity: 2,
    waitlist: true,
    guestsMaySignUp: true,
    signUps: ['gerrit', 'mark', 'fatima'],
  },
];
