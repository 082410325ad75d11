/**
 * App scenarios in the Pinpoint app-event shape: SDK sessions with custom events, purchases,
 * sign-ins and in-app messages; and push campaigns (`_campaign.send`, then the app's
 * received/opened events on the same endpoint).
 */
import { type Batch, type GenContext, MINUTE } from './context';
import { activeEndpoint, type Endpoint } from './identities';
import { appArrival, appEvent, programmeSendEvent, type Session, sessionId } from './pinpoint';
import type { Rng } from './rng';

interface Price {
  currency: string;
  symbol: string;
  prices: readonly number[];
}

/** App-store price points in the currency of the buyer's country; INR has no minor unit there. */
const PRICES: Readonly<Record<string, Price>> = {
  US: { currency: 'USD', symbol: '$', prices: [0.99, 2.99, 4.99, 9.99, 19.99] },
  CA: { currency: 'CAD', symbol: 'CA$', prices: [1.39, 3.99, 6.99, 13.99] },
  GB: { currency: 'GBP', symbol: '£', prices: [0.79, 2.49, 4.99, 8.99] },
  DE: { currency: 'EUR', symbol: '€', prices: [0.99, 3.49, 5.99, 10.99] },
  IN: { currency: 'INR', symbol: '₹', prices: [79, 199, 499] },
  BR: { currency: 'BRL', symbol: 'R$', prices: [4.9, 12.9, 29.9] },
  AU: { currency: 'AUD', symbol: 'A$', prices: [1.49, 4.49, 7.99, 14.99] },
  MX: { currency: 'MXN', symbol: 'MX$', prices: [19, 49, 99, 199] },
};

const PRODUCTS = ['coins_500', 'coins_1200', 'premium_monthly', 'premium_yearly', 'theme_pack', 'ad_free'];
const SCREENS = ['home', 'search', 'product_detail', 'cart', 'checkout', 'profile', 'settings'];
const CATEGORIES = ['shoes', 'outdoor', 'kitchen', 'books', 'toys'];

/** A custom app event: its name, string attributes and numeric metrics. */
function customEvent(rng: Rng): [string, Record<string, string>, Record<string, number>] {
  switch (
    rng.weighted<string>([
      ['screen_view', 45],
      ['add_to_cart', 15],
      ['search', 20],
      ['video_play', 8],
      ['share', 5],
      ['level_complete', 7],
    ])
  ) {
    case 'screen_view':
      return [
        'screen_view',
        { screen_name: rng.pick(SCREENS), referrer: rng.pick(SCREENS) },
        { load_time_ms: rng.int(80, 2400) },
      ];
    case 'add_to_cart':
      return [
        'add_to_cart',
        {
          product_id: `sku-${rng.int(1000, 1999)}`,
          category: rng.pick(CATEGORIES),
          from_recommendation: rng.pick(['true', 'false']),
        },
        { price: rng.int(299, 12999) / 100, quantity: rng.int(1, 3) },
      ];
    case 'search':
      return [
        'search',
        { query_type: rng.pick(['text', 'voice', 'barcode']) },
        { results: rng.int(0, 240), query_length: rng.int(2, 40) },
      ];
    case 'video_play':
      return [
        'video_play',
        { video_id: `vid-${rng.int(100, 160)}`, autoplay: rng.pick(['true', 'false']) },
        { watch_seconds: rng.int(2, 600) },
      ];
    case 'share':
      return ['share', { channel: rng.pick(['whatsapp', 'email', 'copy_link', 'messages']) }, {}];
    default:
      return [
        'level_complete',
        { level: String(rng.int(1, 60)), difficulty: rng.pick(['easy', 'normal', 'hard']) },
        { score: rng.int(100, 99999), duration_s: rng.int(20, 900) },
      ];
  }
}

function purchaseEvent(rng: Rng, endpoint: Endpoint): [Record<string, string>, Record<string, number>] {
  const price = PRICES[endpoint.country.code] ?? PRICES.US;
  const amount = rng.pick(price.prices);
  const quantity = rng.chance(0.9) ? 1 : rng.int(2, 5);
  const formatted = Number.isInteger(amount)
    ? `${price.symbol}${amount}`
    : `${price.symbol}${amount.toFixed(2)}`;
  const android = endpoint.platform.name === 'android';
  return [
    {
      _currency: price.currency,
      _product_id: rng.pick(PRODUCTS),
      _store: android ? 'Google Play' : 'Apple App Store',
      _transaction_id: android
        ? `GPA.${rng.digits(4)}-${rng.digits(4)}-${rng.digits(4)}-${rng.digits(5)}`
        : `2000000${rng.digits(9)}`,
      _item_price_formatted: formatted,
    },
    { _quantity: quantity, _item_price: amount },
  ];
}

/**
 * One app session: `_session.start`, a few events (custom events, sometimes a sign-in, a
 * purchase, an in-app message, a pause and resume), then `_session.stop` with start and stop times.
 */
export function appSession(ctx: GenContext, t0: number, batch: Batch): void {
  const { rng, world } = ctx;
  const endpoint = activeEndpoint(rng, world);
  const session: Session = { id: sessionId(rng), start: t0 };
  let now = t0;
  const emit = (
    type: string,
    attributes: Record<string, string>,
    metrics: Record<string, number>,
    stop?: number,
  ): void => {
    const arrival = appArrival(rng, now);
    batch.add(
      arrival,
      appEvent(
        endpoint,
        type,
        now,
        arrival,
        stop === undefined ? session : { ...session, stop },
        attributes,
        metrics,
      ),
    );
  };
  emit('_session.start', {}, {});
  now += rng.int(200, 4000);
  if (rng.chance(0.12)) {
    const auth = rng.weighted<string>([
      ['_userauth.sign_in', 80],
      ['_userauth.sign_up', 14],
      ['_userauth.auth_fail', 6],
    ]);
    emit(auth, {}, {});
    now += rng.int(1000, 20000);
  }
  const customCount = rng.weighted<number>([
    [0, 10],
    [1, 20],
    [2, 25],
    [3, 20],
    [5, 15],
    [8, 10],
  ]);
  for (let i = 0; i < customCount; i++) {
    const [name, attributes, metrics] = customEvent(rng);
    emit(name, attributes, metrics);
    now += Math.round(rng.exp(40_000)) + 500;
    if (i === 1 && rng.chance(0.1)) {
      emit('_session.pause', {}, {});
      now += Math.round(rng.exp(5 * MINUTE)) + 1000;
      emit('_session.resume', {}, {});
    }
  }
  if (rng.chance(0.06)) {
    const inApp = world.campaigns[rng.int(0, world.campaigns.length - 1)];
    const attributes = { campaign_id: inApp.campaignId, treatment_id: '0', delivery_type: 'IN_APP_MESSAGE' };
    emit('_inapp.message_displayed', attributes, {});
    now += rng.int(1500, 30000);
    emit(rng.chance(0.3) ? '_inapp.message_clicked' : '_inapp.message_dismissed', attributes, {});
  }
  if (rng.chance(0.07)) {
    const [attributes, metrics] = purchaseEvent(rng, endpoint);
    emit('_monetization.purchase', attributes, metrics);
    now += rng.int(2000, 60000);
  }
  now += rng.int(1000, 30000);
  emit('_session.stop', {}, {}, now);
}

/** A push campaign to one endpoint: the send, then (if delivered) the app's own push events. */
export function pushCampaign(ctx: GenContext, t0: number, batch: Batch): void {
  const { rng, world } = ctx;
  const endpoint = rng.pick(world.endpoints);
  const campaign = rng.pick(world.campaigns);
  const treatment = String(rng.int(0, campaign.treatments - 1));
  const status = rng.weighted<string>([
    ['SUCCESS', 93],
    ['QUIET_TIME', 3],
    ['DAILY_CAP', 2],
    ['TEMPORARY_FAILURE', 1],
    ['PERMANENT_FAILURE', 1],
  ]);
  const ids = {
    treatment_id: treatment,
    campaign_activity_id: campaign.activityId,
    campaign_id: campaign.campaignId,
  };
  const arrival = t0 + rng.int(30, 400);
  const attributes = { ...ids, delivery_type: endpoint.pushChannel, campaign_send_status: status };
  batch.add(
    arrival,
    programmeSendEvent(rng, world, 'campaign', endpoint.pushChannel, endpoint, t0, arrival, attributes),
  );
  if (status !== 'SUCCESS' || !rng.chance(0.85)) return;
  let now = t0 + rng.int(500, 20000);
  const session: Session = { id: sessionId(rng), start: now };
  const foreground = rng.chance(0.25);
  const received = appArrival(rng, now);
  batch.add(
    received,
    appEvent(
      endpoint,
      foreground ? '_campaign.received_foreground' : '_campaign.received_background',
      now,
      received,
      session,
      { ...ids },
      {},
    ),
  );
  if (!rng.chance(0.12)) return;
  now += Math.round(rng.logNormal(10 * MINUTE, 1.5));
  const opened = appArrival(rng, now);
  batch.add(
    opened,
    appEvent(
      endpoint,
      '_campaign.opened_notification',
      now,
      opened,
      { ...session, start: now },
      { ...ids },
      {},
    ),
  );
}
