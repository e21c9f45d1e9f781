// Payments on the go-livepeer side of the public port (issue 17): GetOrchestrator's price and
// ticket params, and POST /segment's ProcessPayment, balance check and orchestratorInfo refresh,
// as go-livepeer's server/rpc.go and server/segment_rpc.go make them. The PaymentService calls that
// may wait on the chain node run on the chain call queue; their answers come back to the main loop.
#include "orchestrator_impl.h"
#include "payment_service.h"

namespace lp {
namespace {

// orchestratorInfo's payment part for `gateway` (and the stream, when known): the price, then
// ticket params made at it. Blocking; runs on the chain call queue.
Result<PaymentQuote> quote(pm::PaymentService& payments, const eth::Address& gateway, const std::string& manifest) {
  auto price = payments.price_info(gateway, manifest);
  if (!price) return price.error();
  auto params = payments.ticket_params(gateway, *price);
  if (!params) return params.error();
  return PaymentQuote{*price, *params};
}

struct PaymentCheck {
  std::optional<livepeer::Refusal> refusal;
  PaymentQuote quote;
};

}  // namespace

void Orchestrator::Impl::add_payment_info(net::OrchestratorInfo info, const eth::Address& gateway,
                                          const grpc::ServerCall& call) {
  pm::PaymentService* payments = config.payments.get();
  const bool queued = chain_calls->post<Result<PaymentQuote>>(
      [payments, gateway] { return quote(*payments, gateway, ""); },
      [info = std::move(info), call](Result<PaymentQuote> q) mutable {
        if (!q) {
          g_message("GetOrchestrator: no ticket params: %s", q.error().message.c_str());
          return call.finish(grpc::kUnknown, q.error().message);
        }
        *info.mutable_price_info() = q->price;
        *info.mutable_ticket_params() = q->params;
        call.reply(info.SerializeAsString());
      });
  if (!queued) call.finish(grpc::kUnknown, "OrchestratorBusy");
}

void Orchestrator::Impl::check_livepeer_payment(SoupServerMessage* msg, livepeer::SegmentCreds creds,
                                                SharedBytes body) {
  pm::PaymentService* payments = config.payments.get();
  const std::string manifest = creds.segment.auth_token().session_id();
  auto shared = std::make_shared<livepeer::SegmentCreds>(std::move(creds));
  // Held while the queue works: a message dropped with the queue is released, never answered.
  std::shared_ptr<SoupServerMessage> held(SOUP_SERVER_MESSAGE(g_object_ref(msg)), g_object_unref);
  soup_server_message_pause(msg);
  const bool queued = chain_calls->post<PaymentCheck>(
      [payments, shared, manifest]() -> PaymentCheck {
        // ServeSegment's order: ProcessPayment (400), the balance when the price is positive
        // (400), then orchestratorInfo (500).
        auto processed = payments->process_payment(shared->payment, manifest);
        if (!processed) return {livepeer::Refusal{400, processed.error().message}, {}};
        if (const Error* why = processed->outcome.refusal()) return {livepeer::Refusal{400, why->message}, {}};
        if (processed->outcome.price.positive() && !payments->sufficient_balance(*shared->sender, manifest))
          return {livepeer::Refusal{400, "Insufficient balance"}, {}};
        auto q = quote(*payments, *shared->sender, manifest);
        if (!q) {
          g_message("segment: no orchestrator info: %s", q.error().message.c_str());
          return {livepeer::Refusal{500, "Internal Server Error"}, {}};
        }
        return {std::nullopt, *q};
      },
      [this, held, shared, body](PaymentCheck checked) {
        SoupServerMessage* m = held.get();
        soup_server_message_unpause(m);
        if (checked.refusal) {
          g_message("segment refused: %s", checked.refusal->message.c_str());
          return refuse_as_go_http(m, checked.refusal->status, checked.refusal->message);
        }
        shared->price_info = checked.quote.price;
        shared->ticket_params = checked.quote.params;
        receive_livepeer_segment(m, std::move(*shared), body);
      });
  if (!queued) {
    soup_server_message_unpause(msg);
    refuse_as_go_http(msg, 503, "OrchestratorBusy");
  }
}

void Orchestrator::Impl::debit_livepeer_segment(const livepeer::SegmentCreds& creds, int64_t pixels) {
  if (!config.payments || !creds.sender) return;
  // In memory once the stream's first payment fixed its price (it did: the segment passed
  // check_livepeer_payment), so this does not wait on the chain.
  if (auto debited = config.payments->debit(*creds.sender, creds.segment.auth_token().session_id(), pixels);
      !debited.ok())
    g_warning("segment %lld: fees not debited: %s", static_cast<long long>(creds.segment.seq()),
              debited.error().message.c_str());
}

}  // namespace lp
