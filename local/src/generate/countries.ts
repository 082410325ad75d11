/**
 * The countries of the synthetic audience, with their share of endpoints, locale, carriers, SMS
 * price and phone-number format. Numbers come from fictional ranges where a country has one
 * (US/CA 555-01xx, UK 07700 900xxx, AU 0491 570xxx).
 */
import type { Rng, Weighted } from './rng';

/** One country's traits for SMS and voice. */
export interface Country {
  code: string;
  locale: string;
  language: string;
  timezone: string;
  mcc: string;
  carriers: readonly (readonly [name: string, mnc: string])[];
  /** Price of one SMS part in US dollars (the order of magnitude AWS charges there). */
  smsPrice: number;
  /** Whether carriers return handset delivery receipts (then TEXT_SUCCESSFUL is not final). */
  handsetReceipts: boolean;
  /** The generator of a subscriber number in the country's E.164 form. */
  phone: (rng: Rng) => string;
}

const usPhone = (rng: Rng): string =>
  `+1${rng.pick(['206', '425', '312', '646', '415', '512'])}55501${rng.digits(2)}`;

/** Countries with realistic shares of an English-first sender's SMS traffic. */
export const COUNTRIES: Weighted<Country> = [
  [
    {
      code: 'US',
      locale: 'en_US',
      language: 'en',
      timezone: 'America/Los_Angeles',
      mcc: '310',
      carriers: [
        ['T-Mobile', '260'],
        ['AT&T', '410'],
        ['Verizon Wireless', '004'],
      ],
      smsPrice: 0.00581,
      handsetReceipts: true,
      phone: usPhone,
    },
    52,
  ],
  [
    {
      code: 'CA',
      locale: 'en_CA',
      language: 'en',
      timezone: 'America/Toronto',
      mcc: '302',
      carriers: [
        ['Rogers Wireless', '720'],
        ['Bell Mobility', '610'],
      ],
      smsPrice: 0.00575,
      handsetReceipts: true,
      phone: (rng) => `+1${rng.pick(['416', '604', '514'])}55501${rng.digits(2)}`,
    },
    8,
  ],
  [
    {
      code: 'GB',
      locale: 'en_GB',
      language: 'en',
      timezone: 'Europe/London',
      mcc: '234',
      carriers: [
        ['EE', '30'],
        ['Vodafone UK', '15'],
        ['O2 UK', '10'],
      ],
      smsPrice: 0.0411,
      handsetReceipts: true,
      phone: (rng) => `+447700900${rng.digits(3)}`,
    },
    12,
  ],
  [
    {
      code: 'DE',
      locale: 'de_DE',
      language: 'de',
      timezone: 'Europe/Berlin',
      mcc: '262',
      carriers: [
        ['Telekom', '01'],
        ['Vodafone', '02'],
      ],
      smsPrice: 0.0972,
      handsetReceipts: true,
      phone: (rng) => `+49151${rng.digits(8)}`,
    },
    7,
  ],
  [
    {
      code: 'IN',
      locale: 'en_IN',
      language: 'en',
      timezone: 'Asia/Kolkata',
      mcc: '404',
      carriers: [
        ['Airtel', '10'],
        ['Vodafone Idea', '20'],
      ],
      smsPrice: 0.00278,
      handsetReceipts: false,
      phone: (rng) => `+9198${rng.digits(8)}`,
    },
    8,
  ],
  [
    {
      code: 'BR',
      locale: 'pt_BR',
      language: 'pt',
      timezone: 'America/Sao_Paulo',
      mcc: '724',
      carriers: [
        ['Vivo', '06'],
        ['Claro', '05'],
      ],
      smsPrice: 0.0199,
      handsetReceipts: false,
      phone: (rng) => `+55119${rng.digits(8)}`,
    },
    6,
  ],
  [
    {
      code: 'AU',
      locale: 'en_AU',
      language: 'en',
      timezone: 'Australia/Sydney',
      mcc: '505',
      carriers: [
        ['Telstra', '01'],
        ['Optus', '02'],
      ],
      smsPrice: 0.0358,
      handsetReceipts: true,
      phone: (rng) => `+61491570${rng.digits(3)}`,
    },
    4,
  ],
  [
    {
      code: 'MX',
      locale: 'es_MX',
      language: 'es',
      timezone: 'America/Mexico_City',
      mcc: '334',
      carriers: [
        ['Telcel', '020'],
        ['AT&T Mexico', '090'],
      ],
      smsPrice: 0.0127,
      handsetReceipts: false,
      phone: (rng) => `+5255${rng.digits(8)}`,
    },
    3,
  ],
];
