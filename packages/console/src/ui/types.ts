// What the console's API answers, as the page reads it.
export interface RefundRow {
  provider: string;
  account: string;
  orderId: string;
  refundId: string;
  amount: number;
  amountText: string;
  currency: string;
  status: string;
  attempts: number;
  providerRefundId?: string;
  failure?: { source: string; code: string; message: string; providerCode?: string };
  createdAt: string;
  updatedAt: string;
  timeZone: string;
  batch?: string;
  providerMayKnow: boolean;
  reconcile?: { checks: number; nextCheckAt: string };
}

export interface HistoryEntry {
  at: string;
  kind: string;
  attempt?: number;
  source?: string;
  status?: string;
  statusAfter?: string;
  failure?: { source: string; code: string; message: string };
  providerRefundId?: string;
  note?: string;
  verdict?: string;
}

export interface Session {
  ledger: boolean;
  sandbox: boolean;
  batches: boolean;
  providers: string[];
  timeZones: Record<string, string>;
  currencies: Record<string, string[]>;
}
