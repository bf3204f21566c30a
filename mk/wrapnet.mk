# WrapNet on Fashion-MNIST (docs/wrapnet.md).
#   make demo    the paper's Tables 1 and 6 from the committed models/
#   make train   retrains and re-exports models/ (torch; not part of make test)
#   test-wrapnet C inference == the Python integer simulation, bit for bit,
#                on the committed golden vectors (no torch, no dataset)
WRAPNET_SRC  := examples/wrapnet_demo.c examples/wrapnet_model.c examples/wrapnet_infer.c
WRAPNET_BIN  := $(BUILD)/wrapnet_demo
WRAPNET_DATA := $(BUILD)/fashion-mnist
FMNIST_DIR   ?= /usr/share/datasets/fashion-mnist
WRAPNET_GOLD := $(sort $(wildcard models/*.wgg))

.PHONY: demo train test-wrapnet
TEST_LANES += test-wrapnet

# -O3: the float rows' axpy loops only vectorise there (3x faster demo);
# -ffp-contract=off from BASEFLAGS still keeps every float step unfused.
$(WRAPNET_BIN): $(WRAPNET_SRC) examples/wrapnet_model.h $(LIB_A)
	$(CC) $(BASEFLAGS) -O3 $(CFLAGS) -o $@ $(WRAPNET_SRC) $(LIB_A) $(LDLIBS)

# Every golden file against its model, once per kernel this CPU can run.
# Each kernel and accumulator width is a test: "every layer equal" passed,
# "skipped (kernel cannot run this)" skipped; a check that fails stops with
# its file counted failed.
test-wrapnet: $(WRAPNET_BIN)
	@test -n "$(WRAPNET_GOLD)" || { echo "test-wrapnet: no models/*.wgg"; exit 1; }
	@log=$(BUILD)/test-wrapnet.log; rm -f $$log; \
	for g in $(WRAPNET_GOLD); do \
	  $(RUN) ./$(WRAPNET_BIN) --check $${g%.wgg}.wgm $$g --all-kernels > $$log.1 2>&1; s=$$?; \
	  cat $$log.1; cat $$log.1 >> $$log; [ $$s -eq 0 ] || break; done; \
	p=$$(grep -c ': [0-9]* images, every layer equal$$' $$log); \
	k=$$(grep -c ': skipped (kernel cannot run this)$$' $$log); \
	if [ $$s -ne 0 ]; then echo "test-wrapnet: $$g FAILED"; \
	  echo "$$p passed, 1 failed, $$k skipped"; exit 1; fi; \
	test $$p -gt 0 || { echo "test-wrapnet: no kernel checked"; echo "0 passed, 1 failed, $$k skipped"; exit 1; }; \
	echo "$$p passed, 0 failed, $$k skipped"

$(WRAPNET_DATA)/%: $(FMNIST_DIR)/%.gz
	@mkdir -p $(dir $@)
	gzip -dc $< > $@.tmp && mv $@.tmp $@

$(FMNIST_DIR)/%.gz:
	scripts/deps.sh demo

demo: $(WRAPNET_BIN) $(WRAPNET_DATA)/t10k-images-idx3-ubyte $(WRAPNET_DATA)/t10k-labels-idx1-ubyte
	$(RUN) ./$(WRAPNET_BIN) --models models --data $(WRAPNET_DATA)

train:
	scripts/deps.sh train
	scripts/wrapnet/train_all.sh $(BUILDROOT)/wrapnet-train
