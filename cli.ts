#!/usr/bin/env node
import { runCli } from './cli/main.js'

const exitCode = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
process.exitCode = exitCode
// Normally nothing is left to wait for; should a dependency leave a handle open, the command still ends.
setTimeout(() => process.exit(exitCode), 2000).unref()
