// css-tree's entry point loads its property data with Node's createRequire, which a
// Worker bundle cannot do; the parser, tokenizer and utils subpaths need no data.
// @types/css-tree types only the entry point, so the subpaths borrow its types.
declare module 'css-tree/parser' {
  const parse: typeof import('css-tree').parse;
  export default parse;
}

declare module 'css-tree/tokenizer' {
  export const tokenize: typeof import('css-tree').tokenize;
  export const tokenTypes: typeof import('css-tree').tokenTypes;
}

declare module 'css-tree/utils' {
  export const ident: typeof import('css-tree').ident;
  export const string: typeof import('css-tree').string;
  export const url: typeof import('css-tree').url;
}
