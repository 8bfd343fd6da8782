import { createRoute, z } from '@hono/zod-openapi';
import { assertRole } from '../auth/auth.middleware';
import { AppError } from '../platform/errors';
import { createRouter, jsonBody, jsonResponse, mutationErrors, standardErrors } from '../platform/router';
import { getAgencyForAccount } from '../tenancy/tenancy.service';
import { updateUsageMarkup, updateUsageMarkupBodySchema, usagePriceList, UsagePriceSchema } from './usage-pricing';

export const usagePricingRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Agency'];
const PriceListSchema = z.object({ data: z.array(UsagePriceSchema), next_cursor: z.null() }).openapi('UsagePriceList');

async function requireAgencyAccount(db: D1Database, accountId: string): Promise<void> {
  if (!(await getAgencyForAccount(db, accountId))) throw new AppError('forbidden', 'Only an agency account sets usage prices for sub-accounts.');
}

// GET /api/agency/usage-markup – the agency's usage prices against the platform's, with the margin per unit (owners and admins)
usagePricingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/usage-markup',
    tags,
    security,
    summary: 'Usage prices for sub-accounts',
    responses: { 200: jsonResponse(PriceListSchema, 'Price list'), ...standardErrors },
  }),
  async (c) => {
    await requireAgencyAccount(c.env.DB, c.var.auth.accountId);
    assertRole(c.var.auth, 'admin', "see the agency's usage prices and margins");
    return c.json({ data: await usagePriceList(c.env.DB, c.var.auth.accountId), next_cursor: null }, 200);
  },
);

// PUT /api/agency/usage-markup – set multipliers per resource (PRD usage_markup); null resets one
usagePricingRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/agency/usage-markup',
    tags,
    security,
    summary: 'Set usage multipliers',
    request: { body: jsonBody(updateUsageMarkupBodySchema) },
    responses: { 200: jsonResponse(PriceListSchema, 'The new price list'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'set usage prices');
    await requireAgencyAccount(c.env.DB, c.var.auth.accountId);
    return c.json({ data: await updateUsageMarkup(c.env.DB, c.var.auth.accountId, c.req.valid('json')), next_cursor: null }, 200);
  },
);
