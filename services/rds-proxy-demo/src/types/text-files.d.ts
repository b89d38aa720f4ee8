// Bundled as text by esbuild (custom.bundle.loader) and by the jest transformer in test/helpers.
declare module '*.sql' {
  const text: string;
  export default text;
}

declare module '*.pem' {
  const text: string;
  export default text;
}
