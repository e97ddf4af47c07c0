// Sends one image to AEP Streams from Node.js, in Confluent's wire format: byte 0, the schema id as a 4-byte
// big-endian integer, then the Avro-encoded ImageRecord.
//
//   npm install
//   ../../aep schema ImageRecord > ImageRecord.avsc     # the self-contained schema
//   node producer.mjs image.raw 28 28 1                  # raw 8-bit pixels, row-major, channels last
//
// Settings: BOOTSTRAP_SERVERS (default localhost:9092), SCHEMA_REGISTRY_URL (default http://localhost:8081),
// TOPIC (default aep.images), IMAGE_ID (default node-<time>).
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { Kafka, Partitioners } from 'kafkajs';

const [file, width, height, channels] = process.argv.slice(2);
if (!file || !width || !height || !channels) {
  console.error('usage: node producer.mjs IMAGE.raw WIDTH HEIGHT CHANNELS');
  process.exit(2);
}
const registry = process.env.SCHEMA_REGISTRY_URL ?? 'http://localhost:8081';
const topic = process.env.TOPIC ?? 'aep.images';
const schema = readFileSync('ImageRecord.avsc', 'utf8');

// Register the schema under <topic>-value (a registry answers with the existing id if it is already there).
const response = await fetch(`${registry}/subjects/${encodeURIComponent(topic + '-value')}/versions`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
  body: JSON.stringify({ schema }),
});
if (!response.ok) {
  throw new Error(`registry answered ${response.status}: ${await response.text()}`);
}
const { id: schemaId } = await response.json();

const imageRecord = avro.Type.forSchema(JSON.parse(schema));
const id = process.env.IMAGE_ID ?? `node-${Date.now()}`;
const body = imageRecord.toBuffer({
  id,
  encoding: 'RAW_U8',
  data: readFileSync(file),
  width: Number(width),
  height: Number(height),
  channels: Number(channels),
  label: null,
  capturedAt: null,
  sentAt: Date.now(), // timestamp-millis
  attributes: { source: 'node-example' },
});
const header = Buffer.alloc(5);
header.writeUInt8(0, 0);
header.writeInt32BE(schemaId, 1);

const kafka = new Kafka({ clientId: 'aep-node-example',
  brokers: (process.env.BOOTSTRAP_SERVERS ?? 'localhost:9092').split(',') });
// murmur2 on the key, as Java producers partition: an image's key lands where a Java client would put it.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
await producer.send({ topic, messages: [{ key: id, value: Buffer.concat([header, body]) }] });
await producer.disconnect();
console.log(`sent ${id} to ${topic} with schema id ${schemaId}`);
