#!/usr/bin/env node
import { runCli } from './cli/run.js';

/** The `parley` command (package.json `bin`, `npm start`): see `parley --help`. */
void runCli(process.argv.slice(2));
