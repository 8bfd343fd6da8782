import { createRouter } from '../platform/router';
import { contactRoutes } from './contacts/contacts.routes';
import { customFieldRoutes } from './custom-fields/custom-fields.routes';
import { noteRoutes } from './notes/notes.routes';
import { opportunityRoutes } from './opportunities/opportunities.routes';
import { pipelineRoutes } from './pipelines/pipelines.routes';
import { tagRoutes } from './tags/tags.routes';
import { taskRoutes } from './tasks/tasks.routes';

/** The core CRM, mounted under /api; every route needs auth and is scoped to the token's account. */
export const crmRoutes = createRouter()
  .route('/', contactRoutes)
  .route('/', tagRoutes)
  .route('/', customFieldRoutes)
  .route('/', noteRoutes)
  .route('/', taskRoutes)
  .route('/', pipelineRoutes)
  .route('/', opportunityRoutes);
