#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npm ci` is the only install step (no build).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
