/** The API reference page: Swagger UI (served from our own assets, so it works offline) over /api/openapi.json. */
export const API_DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>API reference</title><link rel="stylesheet" href="/docs-assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true, persistAuthorization: true });</script>
</body></html>`;
