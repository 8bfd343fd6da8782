// .woff files are bundled as Data modules (wrangler.toml [[rules]]): importing one gives its bytes.
declare module '*.woff' {
  const bytes: ArrayBuffer;
  export default bytes;
}
