/**
 * The bounded cast of the synthetic data: one AWS account, its Pinpoint projects, endpoints (each
 * with a device, an email address and a phone number, most with a user id), campaigns, journeys,
 * sending identities and origination numbers. Events draw from these pools, so the same endpoint,
 * address or number recurs across sessions, sends and funnels, and joins between events make sense.
 *
 * Addresses use the reserved `example.*` domains and phone numbers come from fictional ranges
 * where a country has one (US/CA 555-01xx, UK 07700 900xxx, AU 0491 570xxx), so no real person
 * is ever named.
 */
import { type Country, COUNTRIES } from './countries';
import { Rng, type Weighted } from './rng';

/** A Pinpoint project (application) that reports app events. */
export interface PinpointApp {
  appId: string;
  title: string;
  packageName: string;
  cognitoPoolId: string;
}

/** An app install that is also a messaging target: the Pinpoint endpoint and its person. */
export interface Endpoint {
  endpointId: string;
  /** `User.UserId`; null for anonymous endpoints. */
  userId: string | null;
  cognitoId: string;
  app: PinpointApp;
  email: string;
  phone: string;
  country: Country;
  platform: { name: string; version: string };
  make: string;
  model: string;
  appVersion: { name: string; code: string };
  sdk: { name: string; version: string };
  /** The push channel of the endpoint (`GCM` for Android, `APNS` for iOS). */
  pushChannel: string;
  effectiveDate: string;
}

/** A Pinpoint campaign (or, after the cut-over, the same programme sent through SES/EUM). */
export interface Campaign {
  campaignId: string;
  activityId: string;
  name: string;
  treatments: number;
  subject: string;
  links: readonly string[];
}

/** A Pinpoint journey with its current run and its message activities. */
export interface Journey {
  journeyId: string;
  runId: string;
  name: string;
  emailActivityId: string;
  smsActivityId: string;
  subject: string;
  links: readonly string[];
}

/** Everything the generator draws its ids from. Built once per seed. */
export interface World {
  accountId: string;
  region: string;
  apps: readonly PinpointApp[];
  endpoints: readonly Endpoint[];
  /**
   * Cumulative app-activity weights of `endpoints`: a few heavy users open the app daily, most
   * rarely (a log-normal spread), as real session counts per user are distributed.
   */
  activity: Float64Array;
  campaigns: readonly Campaign[];
  journeys: readonly Journey[];
  /** Origination numbers by country code (long codes, short codes and sender ids). */
  originators: Readonly<Record<string, readonly string[]>>;
  rcsAgentId: string;
  sesFromAddresses: readonly string[];
  /** The sending domain whose events arrive as SNS identity notifications (no event publishing). */
  notificationFromAddress: string;
  smsProtectConfigurationId: string;
}

const ANDROID = { name: 'android', versions: ['12', '13', '14', '15'] } as const;
const IOS = { name: 'ios', versions: ['16.7', '17.5', '18.1', '18.4'] } as const;
const DEVICES: Weighted<{ os: typeof ANDROID | typeof IOS; make: string; model: string }> = [
  [{ os: ANDROID, make: 'samsung', model: 'SM-S918B' }, 14],
  [{ os: ANDROID, make: 'samsung', model: 'SM-A546B' }, 10],
  [{ os: ANDROID, make: 'Google', model: 'Pixel 8' }, 8],
  [{ os: ANDROID, make: 'motorola', model: 'moto g54 5G' }, 5],
  [{ os: ANDROID, make: 'Xiaomi', model: '23049PCD8G' }, 5],
  [{ os: IOS, make: 'apple', model: 'iPhone15,2' }, 16],
  [{ os: IOS, make: 'apple', model: 'iPhone16,1' }, 14],
  [{ os: IOS, make: 'apple', model: 'iPhone14,7' }, 12],
];

/** Most users run the newest app versions; a tail lags behind. */
const APP_VERSIONS: Weighted<{ name: string; code: string }> = [
  [{ name: '4.2.0', code: '420' }, 40],
  [{ name: '4.1.3', code: '413' }, 30],
  [{ name: '4.0.1', code: '401' }, 18],
  [{ name: '3.9.7', code: '397' }, 12],
];

const FIRST = [
  'alex',
  'maria',
  'sam',
  'li',
  'priya',
  'jonas',
  'fatima',
  'diego',
  'emma',
  'kenji',
  'noor',
  'ola',
];
const LAST = ['garcia', 'smith', 'chen', 'patel', 'muller', 'silva', 'okafor', 'tanaka', 'novak', 'haddad'];
const MAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example.com'];

const CAMPAIGN_NAMES = [
  ['spring-sale', 'Spring sale: 20% off everything'],
  ['win-back-30d', 'We miss you: here is a gift'],
  ['product-launch', 'Meet the new Pro plan'],
  ['weekly-digest', 'Your weekly digest'],
  ['cart-reminder', 'You left something in your cart'],
  ['loyalty-tier', 'You reached Gold status'],
  ['black-friday', 'Black Friday starts now'],
  ['feature-tips', '3 tips to get more out of the app'],
] as const;

const JOURNEY_NAMES = [
  ['onboarding', 'Welcome aboard'],
  ['trial-conversion', 'Your trial ends in 3 days'],
  ['re-engagement', 'Still there? Here is what is new'],
  ['post-purchase', 'How was your order?'],
] as const;

function links(rng: Rng, slug: string): string[] {
  return [
    `https://www.example.com/${slug}`,
    `https://www.example.com/${slug}/offer?utm_source=email`,
    'https://www.example.com/account',
  ].slice(0, rng.int(1, 3));
}

function buildApps(rng: Rng): PinpointApp[] {
  const region = 'us-east-1';
  return [
    ['ShopMate', 'com.example.shopmate'],
    ['ShopMate Lite', 'com.example.shopmate.lite'],
  ].map(([title, packageName]) => ({
    appId: rng.hex(32),
    title,
    packageName,
    cognitoPoolId: `${region}:${rng.uuid()}`,
  }));
}

function buildEndpoint(rng: Rng, apps: readonly PinpointApp[], index: number): Endpoint {
  const country = rng.weighted(COUNTRIES);
  const device = rng.weighted(DEVICES);
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const android = device.os.name === 'android';
  const effective = Date.UTC(2024, 0, 1) + rng.int(0, 900) * 86_400_000 + rng.int(0, 86_399_999);
  return {
    endpointId: rng.uuid(),
    userId: rng.chance(0.7) ? `user-${String(100000 + index)}` : null,
    cognitoId: `us-east-1:${rng.uuid()}`,
    app: rng.chance(0.85) ? apps[0] : apps[1],
    email: `${first}.${last}${rng.int(1, 999)}@${rng.pick(MAIL_DOMAINS)}`,
    phone: country.phone(rng),
    country,
    platform: { name: device.os.name, version: rng.pick(device.os.versions) },
    make: device.make,
    model: device.model,
    appVersion: rng.weighted(APP_VERSIONS),
    sdk: android
      ? { name: 'aws-amplify-android', version: rng.pick(['2.16.1', '2.19.1', '2.24.0']) }
      : { name: 'aws-amplify-swift', version: rng.pick(['2.33.4', '2.39.0', '2.45.2']) },
    pushChannel: android ? 'GCM' : 'APNS',
    effectiveDate: new Date(effective).toISOString(),
  };
}

function buildOriginators(rng: Rng): Record<string, string[]> {
  const originators: Record<string, string[]> = {};
  for (const [country] of COUNTRIES) {
    const longCode = country.phone(rng);
    const extra = country.code === 'US' ? [`${rng.int(200000, 899999)}`, country.phone(rng)] : ['SHOPMATE'];
    originators[country.code] = [longCode, ...extra];
  }
  return originators;
}

/**
 * Builds the cast for a seed. The pool sizes are fixed (1,500 endpoints, 8 campaigns, 4 journeys),
 * so an endpoint takes part in many events whatever the number of events.
 */
export function buildWorld(rng: Rng, endpointCount = 1500): World {
  const apps = buildApps(rng);
  const endpoints: Endpoint[] = [];
  const activity = new Float64Array(endpointCount);
  let total = 0;
  for (let i = 0; i < endpointCount; i++) {
    endpoints.push(buildEndpoint(rng, apps, i));
    total += rng.logNormal(1, 1.2);
    activity[i] = total;
  }
  const campaigns = CAMPAIGN_NAMES.map(([name, subject]) => ({
    campaignId: rng.hex(32),
    activityId: rng.hex(32),
    name,
    treatments: rng.pick([1, 1, 2, 3]),
    subject,
    links: links(rng, name),
  }));
  const journeys = JOURNEY_NAMES.map(([name, subject]) => ({
    journeyId: rng.hex(32),
    runId: rng.hex(32),
    name,
    emailActivityId: rng.alnum(10),
    smsActivityId: rng.alnum(10),
    subject,
    links: links(rng, name),
  }));
  return {
    accountId: `${rng.int(1, 9)}${rng.digits(11)}`,
    region: 'us-east-1',
    apps,
    endpoints,
    activity,
    campaigns,
    journeys,
    originators: buildOriginators(rng),
    rcsAgentId: `rcs-${rng.hex(16)}`,
    sesFromAddresses: [
      'news@mail.example.com',
      'no-reply@example.com',
      'Shop Mate <offers@mail.example.com>',
    ],
    notificationFromAddress: 'billing@example.org',
    smsProtectConfigurationId: `protect-${rng.hex(32)}`,
  };
}

/** An endpoint chosen in proportion to its app activity (for sessions; messages go to everyone alike). */
export function activeEndpoint(rng: Rng, world: World): Endpoint {
  const { activity } = world;
  const target = rng.next() * activity[activity.length - 1];
  let low = 0;
  let high = activity.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (activity[middle] <= target) low = middle + 1;
    else high = middle;
  }
  return world.endpoints[low];
}
