/**
 * The demo organisation of local mode and the people one can sign in as. The sign-in page
 * and the seed both read this module, so ids stay stable across restarts and re-seeds.
 * The organisation is a water board; the guests come from partner organisations, as they
 * would be invited into its tenant as B2B guests.
 */

/** The demo tenant: Waterschap Rijn en IJssel (fictional ids, real-looking shape). */
export const DEMO_TENANT_ID = '00000000-0000-4000-8000-00000000a001';
export const DEMO_ORGANISATION = 'Waterschap Rijn en IJssel';
/** The home tenants of the guests' own organisations. */
export const DEMO_PARTNER_TENANTS = {
  lto: '00000000-0000-4000-8000-00000000a002',
  aquaterra: '00000000-0000-4000-8000-00000000a003',
} as const;

export type DemoRole = 'civil-servant' | 'community-manager' | 'guest' | 'org-admin';

export interface DemoPerson {
  /** Stable user id (the `oid` a real token would carry). */
  id: string;
  tenantId: string;
  /** The tenant the account lives in (differs for guests). */
  homeTenantId: string;
  displayName: string;
  userPrincipalName: string;
  mail: string;
  jobTitle: string;
  department: string;
  officeLocation: string;
  organisation: string;
  isGuest: boolean;
  isOrgAdmin: boolean;
  role: DemoRole;
  /** Shown on the sign-in page. */
  description: { nl: string; en: string };
  /** Declared expertise, for the seed's profiles. */
  expertise: string[];
}

/** What sets one demo person apart; the rest follows from being an employee or a guest. */
type DemoPersonDetails = Pick<DemoPerson, 'id' | 'displayName' | 'mail' | 'jobTitle' | 'department' | 'officeLocation' | 'description' | 'expertise'>;

/** Someone employed by the water board: an account in its tenant, signing in with their e-mail address. */
function employee(person: DemoPersonDetails & { role: Exclude<DemoRole, 'guest'> }): DemoPerson {
  return {
    ...person,
    tenantId: DEMO_TENANT_ID,
    homeTenantId: DEMO_TENANT_ID,
    userPrincipalName: person.mail,
    organisation: DEMO_ORGANISATION,
    isGuest: false,
    isOrgAdmin: person.role === 'org-admin',
  };
}

/**
 * A B2B guest from a partner organisation: the account lives in its home tenant, and Entra
 * names it in ours after the e-mail address (`name_domain#EXT#@<our tenant>`).
 */
function guest(person: DemoPersonDetails & Pick<DemoPerson, 'homeTenantId' | 'organisation'>): DemoPerson {
  return {
    ...person,
    tenantId: DEMO_TENANT_ID,
    userPrincipalName: `${person.mail.replace('@', '_')}#EXT#@wrij.onmicrosoft.example`,
    isGuest: true,
    isOrgAdmin: false,
    role: 'guest',
  };
}

export const DEMO_PEOPLE: readonly DemoPerson[] = Object.freeze([
  employee({
    id: '0b6f3c1e-2a4d-4c8e-9f10-00000000b001',
    displayName: 'Sanne de Vries',
    mail: 'sanne.devries@wrij.example',
    jobTitle: 'Beleidsmedewerker waterkwaliteit',
    department: 'Waterkwaliteit en ecologie',
    officeLocation: 'Doetinchem',
    role: 'civil-servant',
    description: { nl: 'Ambtenaar bij het waterschap', en: 'Civil servant at the water board' },
    expertise: ['waterkwaliteit', 'nitraat', 'Kaderrichtlijn Water'],
  }),
  employee({
    id: '0b6f3c1e-2a4d-4c8e-9f10-00000000b002',
    displayName: 'Mark Hendriks',
    mail: 'mark.hendriks@wrij.example',
    jobTitle: 'Adviseur bodem en water',
    department: 'Gebiedsprocessen',
    officeLocation: 'Doetinchem',
    role: 'community-manager',
    description: { nl: 'Adviseur en communitymanager', en: 'Adviser and community manager' },
    expertise: ['bodemkwaliteit', 'mestbeleid', 'gebiedsprocessen'],
  }),
  guest({
    id: '0b6f3c1e-2a4d-4c8e-9f10-00000000b003',
    homeTenantId: DEMO_PARTNER_TENANTS.lto,
    displayName: 'Gerrit Wolters (LTO Noord)',
    mail: 'gerrit.wolters@ltonoord.example',
    jobTitle: 'Melkveehouder en regiobestuurder',
    department: 'Afdeling Achterhoek',
    officeLocation: 'Winterswijk',
    organisation: 'LTO Noord',
    description: { nl: 'Ketenpartner (gast), agrarisch ondernemer', en: 'Chain partner (guest), farmer' },
    expertise: ['melkveehouderij', 'bemesting', 'drainage'],
  }),
  guest({
    id: '0b6f3c1e-2a4d-4c8e-9f10-00000000b004',
    homeTenantId: DEMO_PARTNER_TENANTS.aquaterra,
    displayName: 'Fatima El Amrani (Aquaterra Advies)',
    mail: 'fatima.elamrani@aquaterra.example',
    jobTitle: 'Senior adviseur bodem en grondwater',
    department: 'Bodem en water',
    officeLocation: 'Arnhem',
    organisation: 'Aquaterra Advies',
    description: { nl: 'Ketenpartner (gast), adviesbureau', en: 'Chain partner (guest), consultancy' },
    expertise: ['grondwater', 'stikstof', 'bodemonderzoek'],
  }),
  employee({
    id: '0b6f3c1e-2a4d-4c8e-9f10-00000000b005',
    displayName: 'Ingrid Bakker',
    mail: 'ingrid.bakker@wrij.example',
    jobTitle: 'Functioneel beheerder samenwerkingsplatform',
    department: 'Informatievoorziening',
    officeLocation: 'Doetinchem',
    role: 'org-admin',
    description: { nl: 'Beheerder van de organisatie', en: 'Organisation admin' },
    expertise: ['Microsoft Teams', 'informatiebeheer'],
  }),
]);

export function findDemoPerson(id: string): DemoPerson | undefined {
  return DEMO_PEOPLE.find((p) => p.id === id);
}
