#!/usr/bin/env node
import { Command } from 'commander';
import { registerConfigCommand } from './config.js';
import { registerDemoCommand } from './demo.js';
import { registerGatewayCommand } from './gateway.js';
import { registerScanCommand } from './scan.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('palisade')
    .description('Security gateway, scanner and audit for AI-system APIs')
    .version('0.1.0');
  registerGatewayCommand(program);
  registerConfigCommand(program);
  registerDemoCommand(program);
  registerScanCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    process.stderr.write(`palisade: ${err.message}\n`);
    process.exitCode = 2;
  });
