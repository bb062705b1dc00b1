/** Server frames assembled around JSON that is already serialised, so that it is serialised once. */

/** `{"type":"event",…}` around an event's payload JSON. */
export function eventFrame(name: string, id: string, json: string): Buffer {
  return Buffer.from(`{"type":"event","event":${JSON.stringify(name)},"id":${JSON.stringify(id)},"data":${json}}`);
}

/** A request's `ok` around its result's JSON. */
export function dataReply(ref: string | number, json: string): Buffer {
  return Buffer.from(`{"type":"ok","ref":${JSON.stringify(ref)},"data":${json}}`);
}
