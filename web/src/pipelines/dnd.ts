/** The drag data type of an opportunity card; the payload is the opportunity id. */
export const DRAG_TYPE = 'application/x-crm-opportunity';
