#!/usr/bin/env node
console.log('sora-bot');
