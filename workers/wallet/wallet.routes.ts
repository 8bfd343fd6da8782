import { createRoute, z } from '@hono/zod-openapi';
import { assertRole } from '../auth/auth.middleware';
import { queryFirst } from '../platform/db';
import { AppError } from '../platform/errors';
import { idempotencyKeyHeader } from '../platform/idempotency';
import { parseUsd } from '../platform/money';
import { decodeCursor, encodeCursor } from '../platform/pagination';
import { createRouter, jsonBody, jsonResponse, mutationErrors, pageSchema, standardErrors } from '../platform/router';
import { getAgencyForAccount } from '../tenancy/tenancy.service';
import { marginReport, usageReport } from './reports';
import { addFundsBodySchema, PaymentMethodSchema, savePaymentMethodBodySchema, TopUpSchema } from './wallet.schemas';
import { TOP_UP_BOUNDS } from './limits';
import { addFunds, autoRechargeSettingsErrors, savePaymentMethod, serializeTopUp, type TopUpRow } from './top-ups';
import {
  configureAutoRechargeBodySchema,
  listTransactionsQuerySchema,
  marginsQuerySchema,
  MarginReportSchema,
  UsageReportSchema,
  usageQuerySchema,
  WalletBalanceSchema,
  WalletTransactionSchema,
} from './wallet.schemas';
import { ensureWallet, serializeSnapshot, serializeTransaction } from './wallet.service';
import type { LedgerTransaction } from '../../durable-objects/wallet/wallet.ledger';

export const walletRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Wallet'];

async function paymentMethodOf(db: D1Database, accountId: string) {
  const profile = await queryFirst<{ card_brand: string | null; card_last4: string | null; default_payment_method_id: string | null }>(
    db,
    'SELECT card_brand, card_last4, default_payment_method_id FROM billing_profiles WHERE account_id = ?',
    accountId,
  );
  return profile?.default_payment_method_id ? { brand: profile.card_brand, last4: profile.card_last4 } : null;
}

// GET /api/wallet/balance – balance, holds, available funds and auto-recharge settings
walletRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/wallet/balance',
    tags,
    security,
    summary: 'Wallet balance',
    responses: { 200: jsonResponse(WalletBalanceSchema, 'The wallet'), ...standardErrors },
  }),
  async (c) => {
    const { stub } = await ensureWallet(c.env, c.var.auth.accountId);
    return c.json({ ...serializeSnapshot(await stub.balance()), payment_method: await paymentMethodOf(c.env.DB, c.var.auth.accountId) }, 200);
  },
);

const CSV_COLUMNS = ['id', 'created_at', 'type', 'amount', 'balance_after', 'resource_type', 'resource_id', 'quantity', 'description'] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // Quote everything that could break a row, and defuse spreadsheet formulas.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

// GET /api/wallet/transactions – the ledger, newest first, by resource and date; CSV export with format=csv
walletRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/wallet/transactions',
    tags,
    security,
    summary: 'Wallet transactions',
    request: { query: listTransactionsQuerySchema },
    responses: {
      200: {
        description: 'A page of transactions, or a CSV file',
        content: { 'application/json': { schema: pageSchema(WalletTransactionSchema, 'WalletTransactionPage') }, 'text/csv': { schema: { type: 'string' } } },
      },
      ...standardErrors,
    },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const { stub } = await ensureWallet(c.env, c.var.auth.accountId);
    const filter = {
      resourceType: query.resource_type,
      fromMs: query.from ? Date.parse(query.from) : undefined,
      toMs: query.to ? Date.parse(query.to) : undefined,
    };
    if (query.format === 'csv') {
      const rows: LedgerTransaction[] = [];
      let beforeSeq: number | undefined;
      for (;;) {
        const page = await stub.list({ ...filter, beforeSeq, limit: 1000 });
        rows.push(...page);
        if (page.length < 1000 || rows.length >= 100_000) break;
        beforeSeq = page[page.length - 1].seq;
      }
      const lines = [
        CSV_COLUMNS.join(','),
        ...rows.map((tx) => {
          const t = serializeTransaction(tx);
          return CSV_COLUMNS.map((col) => csvCell(t[col])).join(',');
        }),
      ];
      return c.body(`${lines.join('\r\n')}\r\n`, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="wallet-transactions.csv"',
      });
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor && typeof cursor.v !== 'number')
      throw new AppError('validation_failed', 'The cursor is not one this API issued.', { errors: [{ field: 'cursor', message: 'Invalid cursor.' }] });
    const rows = await stub.list({ ...filter, beforeSeq: cursor ? (cursor.v as number) : undefined, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return c.json(
      { data: page.map(serializeTransaction), next_cursor: rows.length > query.limit && last ? encodeCursor({ v: last.seq, id: last.id }) : null },
      200,
    );
  },
);

// POST /api/wallet/auto-recharge/configure – top up automatically when funds run low, within a top-up's bounds and a daily limit
walletRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/wallet/auto-recharge/configure',
    tags,
    security,
    summary: 'Configure auto-recharge',
    request: { body: jsonBody(configureAutoRechargeBodySchema) },
    responses: { 200: jsonResponse(WalletBalanceSchema, 'The wallet with its new settings'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'change wallet settings');
    const body = c.req.valid('json');
    const amountMicros = parseUsd(body.amount, 'amount');
    const thresholdMicros = parseUsd(body.threshold, 'threshold');
    const errors = autoRechargeSettingsErrors(thresholdMicros, amountMicros);
    if (errors.length > 0) {
      throw new AppError(
        'validation_failed',
        `Auto-recharge adds ${TOP_UP_BOUNDS} each time, when the balance falls below a threshold of at least $1.00 and at most that amount.`,
        { errors },
      );
    }
    const paymentMethod = await paymentMethodOf(c.env.DB, c.var.auth.accountId);
    if (body.enabled && !paymentMethod) {
      throw new AppError('validation_failed', 'Save a card before turning on auto-recharge.', { errors: [{ field: 'enabled', message: 'No saved card.' }] });
    }
    const { stub } = await ensureWallet(c.env, c.var.auth.accountId);
    const snapshot = await stub.configure({ autoRechargeEnabled: body.enabled, thresholdMicros, amountMicros });
    return c.json({ ...serializeSnapshot(snapshot), payment_method: paymentMethod }, 200);
  },
);

// GET /api/wallet/usage – spend per resource per day over the last N days
walletRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/wallet/usage',
    tags,
    security,
    summary: 'Usage by day',
    request: { query: usageQuerySchema },
    responses: { 200: jsonResponse(UsageReportSchema, 'Spend per day and resource'), ...standardErrors },
  }),
  async (c) => c.json(await usageReport(c.env.DB, c.var.auth.accountId, c.req.valid('query').days), 200),
);

// GET /api/agency/wallet/margins – per sub-account: what it was charged, what the agency paid, the margin (owners and admins)
walletRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/wallet/margins',
    tags: ['Agency'],
    security,
    summary: 'Usage margins by sub-account',
    request: { query: marginsQuerySchema },
    responses: { 200: jsonResponse(MarginReportSchema, 'Margins'), ...standardErrors },
  }),
  async (c) => {
    const agency = await getAgencyForAccount(c.env.DB, c.var.auth.accountId);
    if (!agency) throw new AppError('forbidden', 'Only an agency account has sub-accounts.');
    // What the agency earns on its clients is for the people who run it, not every member.
    assertRole(c.var.auth, 'admin', "see the agency's usage margins");
    const { from, to } = c.req.valid('query');
    const toMs = to ? Date.parse(to) : Date.now() + 1;
    const fromMs = from ? Date.parse(from) : toMs - 30 * 86_400_000;
    return c.json(await marginReport(c.env.DB, c.var.auth.accountId, fromMs, toMs), 200);
  },
);

// POST /api/wallet/payment-method – save the card top-ups and auto-recharge charge
walletRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/wallet/payment-method',
    tags,
    security,
    summary: 'Save a card',
    request: { body: jsonBody(savePaymentMethodBodySchema) },
    responses: { 200: jsonResponse(PaymentMethodSchema, 'The saved card'), ...mutationErrors, 402: { description: 'The card was declined' } },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', "change the wallet's card");
    const profile = await savePaymentMethod(c.env, c.var.auth.accountId, c.req.valid('json').payment_method);
    return c.json({ brand: profile.card_brand, last4: profile.card_last4 }, 200);
  },
);

// POST /api/wallet/add-funds – charge the saved card; the wallet is credited when Stripe confirms
walletRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/wallet/add-funds',
    tags,
    security,
    summary: 'Add funds from the saved card',
    description:
      'Send an `Idempotency-Key` header to make retries safe: the same key never charges twice. The reply is the top-up, `pending` until Stripe confirms the payment moments later.',
    request: { body: jsonBody(addFundsBodySchema) },
    responses: {
      202: jsonResponse(TopUpSchema, 'Payment accepted; crediting on confirmation'),
      ...mutationErrors,
      402: { description: 'Declined, or authentication required' },
    },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'add funds');
    const key = idempotencyKeyHeader(c) ?? crypto.randomUUID();
    const topUp = await addFunds(c.env, c.var.auth.accountId, parseUsd(c.req.valid('json').amount, 'amount'), key);
    return c.json(serializeTopUp(topUp), 202);
  },
);

// GET /api/wallet/top-ups – recent card top-ups and auto-recharges with their outcome
walletRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/wallet/top-ups',
    tags,
    security,
    summary: 'Recent top-ups',
    responses: { 200: jsonResponse(pageSchema(TopUpSchema, 'TopUpPage'), 'Top-ups'), ...standardErrors },
  }),
  async (c) => {
    const { results } = await c.env.DB.prepare('SELECT * FROM wallet_top_ups WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT 50')
      .bind(c.var.auth.accountId)
      .all<TopUpRow>();
    return c.json({ data: results.map(serializeTopUp), next_cursor: null }, 200);
  },
);

const SANDBOX_TEST_CARDS = [
  { payment_method: 'pm_card_visa', label: 'Visa 4242', behaviour: 'Saves and pays' },
  { payment_method: 'pm_card_mastercard', label: 'Mastercard 4444', behaviour: 'Saves and pays' },
  { payment_method: 'pm_card_chargeCustomerFail', label: 'Visa 0341', behaviour: 'Saves, then every charge is declined' },
  { payment_method: 'pm_card_chargeDeclined', label: 'Visa 0002', behaviour: 'Declined' },
  { payment_method: 'pm_card_authenticationRequired', label: 'Visa 3184', behaviour: 'Needs 3-D Secure, so it cannot be saved for off-session charges' },
];

const PaymentConfigSchema = z
  .object({
    mode: z.enum(['sandbox', 'live']),
    publishable_key: z.string().nullable().openapi({ description: 'For Stripe.js card entry in live mode' }),
    test_cards: z
      .array(z.object({ payment_method: z.string(), label: z.string(), behaviour: z.string() }))
      .nullable()
      .openapi({ description: 'Sandbox only: Stripe test cards to pick from' }),
  })
  .openapi('PaymentConfig');

// GET /api/wallet/payment-config – how the browser should collect a card: Stripe.js (live) or test cards (sandbox)
walletRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/wallet/payment-config',
    tags,
    security,
    summary: 'Card entry configuration',
    responses: { 200: jsonResponse(PaymentConfigSchema, 'Configuration'), ...standardErrors },
  }),
  async (c) => {
    const live = c.env.PROVIDER_MODE === 'live';
    const publishableKey = (c.env as unknown as { STRIPE_PUBLISHABLE_KEY?: string }).STRIPE_PUBLISHABLE_KEY ?? null;
    return c.json(
      { mode: live ? ('live' as const) : ('sandbox' as const), publishable_key: live ? publishableKey : null, test_cards: live ? null : SANDBOX_TEST_CARDS },
      200,
    );
  },
);
