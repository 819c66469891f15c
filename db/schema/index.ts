export * from './agency.ts';
export * from './directory.ts';
export * from './jobs.ts';
export * from './engine.ts';
export * from './messages.ts';
export * from './auth.ts';
export * from './finance.ts';
export * from './reports.ts';
