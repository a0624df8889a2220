/**
 * Message type numbers and header layouts (docs/protocol.md §2 for clients, §3 for mesh links).
 * Headers are positional arrays: `[type, ...fields]`; the layout of each is documented here once.
 */
export const M = {
  // Client ↔ gateway (§2)
  HELLO: 1, //            [1, realm, token|null, clientId, pubStream?, nextPubSeq?] (stream: tracked publications, §2)
  WELCOME: 2, //          [2, sessionId, gatewayId, pubAcks?] (true: this gateway sends PUBACK)
  ABORT: 3, //            [3, code, message]
  SUBSCRIBE: 4, //        [4, reqId, pattern, durableName|null]
  SUBSCRIBED: 5, //       [5, reqId, subId, overflowCount, epoch?, ackedSeq?] (the last two: durable)
  UNSUBSCRIBE: 6, //      [6, reqId, subId]
  UNSUBSCRIBED: 7, //     [7, reqId]
  PUBLISH: 8, //          [8, topic, ackReqId (0 = no ack), excludeMe] + payload; with a pubStream: [8, topic, P.*, excludeMe]
  PUBLISHED: 9, //        [9, reqId]
  EVENT: 10, //           [10, subId, topic, publisherSession, gatewayId, durableSeq (0 = not durable), pubStream?, pubSeq?] + payload (the last two: a tracked publication, for the client's duplicate check)
  REGISTER: 11, //        [11, reqId, procedure]
  REGISTERED: 12, //      [12, reqId, regId]
  UNREGISTER: 13, //      [13, reqId, regId]
  UNREGISTERED: 14, //    [14, reqId] or, unasked (reqId 0), [14, 0, regId, code, message]: registration withdrawn
  CALL: 15, //            [15, reqId, procedure, timeoutMs] + args
  RESULT: 16, //          [16, reqId] + result
  ERROR: 17, //           [17, reqId, code, message]
  INVOCATION: 18, //      [18, invocationId, regId, procedure, callerSession] + args
  YIELD: 19, //           [19, invocationId] + result
  INVOCATION_ERROR: 20, // [20, invocationId, code, message]
  PING: 21, //            [21, nonce]
  PONG: 22, //            [22, nonce]
  GOODBYE: 23, //         [23, reason]
  ACK: 24, //             [24, subId, durableSeq] cumulative acknowledgement of a durable subscription
  DROPPED: 25, //         [25, subId, count] events dropped for this subscriber (slow consumer)
  PUBACK: 26, //          [26, pubSeq] cumulative: every tracked publication up to pubSeq is taken care of

  // Gateway ↔ gateway (§3)
  PEER_HELLO: 40, //      [40, gatewayId, realm, epoch, nonce]
  PEER_WELCOME: 41, //    [41, gatewayId, epoch, nonce] (no proof: the dialer proves first)
  PEER_AUTH: 42, //       [42, dialerProof, lastReceivedSeq, lastReceivedEpoch]
  PEER_READY: 43, //      [43, lastReceivedSeq, lastReceivedEpoch, acceptorProof]
  LSA: 44, //             [44, origin, epoch, version, neighbors[], patterns[], procedures[]]
  LINK_ACK: 45, //        [45, seq] cumulative
  MESH_DATA: 46, //       [46, origin, originEpoch, dests[], kind, ...kind fields] + 25-byte prefix + payload (mesh/data-frame.ts)
  LINK_PING: 47, //       [47, sentAtMs]
  LINK_PONG: 48, //       [48, sentAtMs]
} as const;

/** The PUBLISH mode field of a session that announced a pubStream in HELLO (docs/protocol.md §2). */
export const P = {
  TRACKED: 0, //   numbered (the session's next pubSeq), acknowledged in the next PUBACK batch
  ACK_NOW: 1, //   numbered, and the PUBACK covering it goes out at once (publish with `ack`)
  UNTRACKED: 2, // not numbered, never acknowledged (fire and forget)
} as const;

/** Kinds of MESH_DATA and their trailing fields. */
export const K = {
  PUB: 1, //    [..., 1, topic, publisherSession, pubStream|null] (its pubSeq in the data prefix)
  CALL: 2, //   [..., 2, callId, procedure, timeoutMs, callerSession]
  RESULT: 3, // [..., 3, callId, errorCode|null, errorMessage|null]
} as const;
