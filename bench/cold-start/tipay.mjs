// Cold start, the smallest public entry that validates: @refundkit/tipay alone (no facade).
import { validateMessage } from '@refundkit/tipay';

const request = { merchantNo: '10012426723', orderId: 'order123456789', refundRequestId: 'refundorder987654', refundAmount: '88.88', description: '用户申请退货并退款' };
try {
  validateMessage('refund.request', request);
} catch {
  process.exit(3);
}
