// Node from Debian's nodejs package, in the image as on the host: worker_threads (a second
// V8 isolate on its own thread), zlib, crypto and files. Every line is deterministic, so the
// guest's output must equal the host's byte for byte.
'use strict';
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const crypto = require('crypto');
const fs = require('fs');
const zlib = require('zlib');

function chain(seed, rounds) {
  let digest = crypto.createHash('sha256').update(String(seed)).digest();
  for (let i = 0; i < rounds; i++) digest = crypto.createHash('sha256').update(digest).digest();
  return digest.toString('hex').slice(0, 16);
}

if (!isMainThread) {
  parentPort.postMessage(workerData.seeds.map((s) => [s, chain(s, 300)]));
} else {
  const text = Array.from({ length: 2000 }, (_, i) => `line ${i} of the zlib input\n`).join('');
  const packed = zlib.gzipSync(text, { level: 9 });
  const inflated = zlib.gunzipSync(packed).toString();
  console.log('zlib:', text.length, '->', packed.length, inflated === text,
    crypto.createHash('sha256').update(zlib.deflateRawSync(text)).digest('hex').slice(0, 16));
  console.log('crypto sha512:', crypto.createHash('sha512').update('unikernel').digest('hex').slice(0, 32));
  console.log('crypto hmac:', crypto.createHmac('sha256', 'key').update('message').digest('base64'));
  console.log('crypto pbkdf2:', crypto.pbkdf2Sync('secret', 'salt', 1000, 16, 'sha256').toString('hex'));
  const key = crypto.createHash('sha256').update('aes key').digest();
  const cipher = crypto.createCipheriv('aes-256-cbc', key, Buffer.alloc(16, 7));
  const sealed = Buffer.concat([cipher.update('sixteen byte msg and more'), cipher.final()]);
  console.log('crypto aes:', sealed.toString('hex'));
  console.log('crypto random:', crypto.randomBytes(32).length, typeof crypto.randomUUID());

  fs.writeFileSync('node-file.txt', text);
  fs.appendFileSync('node-file.txt', 'tail\n');
  const back = fs.readFileSync('node-file.txt', 'utf8');
  console.log('files:', back.length, back.split('\n').length, fs.statSync('node-file.txt').size);
  fs.renameSync('node-file.txt', 'node-renamed.txt');
  console.log('files after rename:', fs.readdirSync('.').filter((f) => f.startsWith('node-')).join(','));

  const workers = [[1, 2, 3], [4, 5, 6]].map((seeds) => new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { seeds } });
    w.on('message', resolve);
    w.on('error', reject);
  }));
  Promise.all(workers).then((results) => {
    console.log('workers:', JSON.stringify(results));
  });
}
