// Per-request context: services shared by the process, the caller, and fresh DataLoaders.
import type { PrismaClient, Role } from '@accrete/db';
import type { Config } from '@accrete/config';
import type { LocalStorage } from '@accrete/storage';
import type { JobRunner } from '@accrete/jobs';
import type { ClassifierCache } from '@accrete/registry';
import type { FirstSignIn } from '@accrete/auth';
import { createLoaders, type Loaders } from './loaders.js';

export interface Services {
  prisma: PrismaClient;
  config: Config;
  storage: LocalStorage;
  runner: JobRunner;
  classifiers: ClassifierCache;
  /** The one-time sign-in of a fresh install (no token yet). */
  firstSignIn: FirstSignIn;
  log: (m: string) => void;
}

export interface Viewer {
  id: string;
  name: string;
  role: Role;
}

export interface ApiContext extends Services {
  viewer: Viewer | null;
  loaders: Loaders;
}

export function createContext(services: Services, viewer: Viewer | null): ApiContext {
  return { ...services, viewer, loaders: createLoaders(services.prisma) };
}
