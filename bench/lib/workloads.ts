import type { Workload } from './load.js';

const chatBody = (stream: boolean) =>
  JSON.stringify({
    model: 'demo-1',
    stream,
    messages: [{ role: 'user', content: 'Summarise the plot of Hamlet in two sentences.' }],
  });
const json2kb = JSON.stringify({
  title: 'Quarterly report',
  items: Array.from({ length: 22 }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    note: 'ordinary text value',
    qty: i * 3,
  })),
});

export const WORKLOADS: Workload[] = [
  { name: 'small GET', method: 'GET', path: '/api/users/1' },
  {
    name: '2 KB JSON POST',
    method: 'POST',
    path: '/api/echo',
    headers: { 'content-type': 'application/json' },
    body: json2kb,
  },
  {
    name: 'SSE completion',
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: chatBody(true),
  },
];
