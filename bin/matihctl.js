#!/usr/bin/env node
// The compiled CLI lives in dist/cli (npm run build:cli); this file only starts it.
import process from 'node:process';
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
