// Imported first by benches that host the API in-process, so they measure it as `npm start` runs it:
// NODE_ENV=production turns off graphql-js's development-only checks, which are read when graphql is loaded.
process.env.NODE_ENV ??= 'production';
