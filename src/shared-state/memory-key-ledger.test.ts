import { keyLedgerContract } from "./key-ledger.contract.ts";
import { memoryKeyLedger } from "./memory-key-ledger.ts";

keyLedgerContract("memory", async () => {
  const ledger = memoryKeyLedger();
  return { ledger, close: () => ledger.close() };
});
