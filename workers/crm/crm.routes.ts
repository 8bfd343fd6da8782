import { createRouter } from '../platform/router';
export const crmRoutes = createRouter();
