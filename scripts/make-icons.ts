/**
 * Writes build/icon.png (1024 px), the icon electron-builder turns into .icns, .ico and the Linux
 * icon set. Drawn by main/icon.ts, which the tray uses at runtime too.
 *
 *   tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { iconPng } from '../main/icon';

const target = new URL('../build/icon.png', import.meta.url);
writeFileSync(target, iconPng(1024, 'app'));
process.stdout.write(`wrote ${fileURLToPath(target)}\n`);
