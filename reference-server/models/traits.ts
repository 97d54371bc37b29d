// What a model declares about its costs, so scenarios derive their expectations and thresholds
// from it instead of naming models: a new model with known traits edits no scenario. No Node
// imports (scenarios, which the k6 driver also loads, read it).

export type ReceiptStore = 'per-message' | 'watermark';

export interface ModelTraits {
  /** how a conversation's receipts are stored: a row per message (per recipient in groups), or two marks per member */
  receipts(conversation: { kind: 'direct' | 'group'; members: number }): ReceiptStore;
  /** when an ack reaches Postgres: in the ack's own statement, or later in a batched `flush` */
  durability: 'write-through' | 'write-behind';
  /** where the read-receipts setting lives: on every membership row (looked up on each read), or once per user */
  settings: 'per-membership' | 'per-user';
}
