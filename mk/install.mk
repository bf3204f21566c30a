# make install PREFIX=... DESTDIR=...: header, both libraries, pkg-config.
LIBDIR ?= $(PREFIX)/lib
INCDIR ?= $(PREFIX)/include
# The .pc file names PREFIX, LIBDIR and INCDIR, which a later `make install
# PREFIX=...` may change without touching any file: it is rebuilt whenever its
# text would differ (a stamp holding the three values, rewritten only then).
PC_VARS := $(PREFIX)|$(LIBDIR)|$(INCDIR)|$(VERSION)
$(BUILD)/wrapgemm.pc.vars: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = '$(PC_VARS)' ] || printf '%s\n' '$(PC_VARS)' > $@
.PHONY: FORCE
FORCE:
$(BUILD)/wrapgemm.pc: mk/install.mk $(BUILD)/wrapgemm.pc.vars
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	  'Name: wrapgemm' \
	  'Description: Quantized GEMM and convolution with wrap-around low-bit accumulators' \
	  'Version: $(VERSION)' 'Libs: -L$${libdir} -lwrapgemm' 'Libs.private: -lm -lpthread' \
	  'Cflags: -I$${includedir}' > $@
install: $(LIB_A) $(LIB_SO) $(BUILD)/wrapgemm.pc
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)
	install -m 644 include/wrapgemm.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/libwrapgemm.so.$(VERSION)
	ln -sf libwrapgemm.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libwrapgemm.so.0
	ln -sf libwrapgemm.so.0 $(DESTDIR)$(LIBDIR)/libwrapgemm.so
	install -m 644 $(BUILD)/wrapgemm.pc $(DESTDIR)$(LIBDIR)/pkgconfig/

# The installed header, libraries and pkg-config file are enough to build
# the README example: install into a scratch DESTDIR and build against it.
TEST_LANES += test-install
test-install: $(BUILD)/readme_example.c
	rm -rf $(BUILD)/stage
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(BUILD)/stage PREFIX=/usr
	PKG_CONFIG_SYSROOT_DIR=$(CURDIR)/$(BUILD)/stage \
	PKG_CONFIG_LIBDIR=$(CURDIR)/$(BUILD)/stage/usr/lib/pkgconfig \
	  sh -c '$(CC) -std=c11 -o $(BUILD)/readme_installed $(BUILD)/readme_example.c $$(pkg-config --cflags --libs --static wrapgemm)'
	LD_LIBRARY_PATH=$(CURDIR)/$(BUILD)/stage/usr/lib $(RUN) ./$(BUILD)/readme_installed > /dev/null
	@# The shared library, found at run time through the rpath the README gives.
	PKG_CONFIG_SYSROOT_DIR=$(CURDIR)/$(BUILD)/stage \
	PKG_CONFIG_LIBDIR=$(CURDIR)/$(BUILD)/stage/usr/lib/pkgconfig \
	  sh -c '$(CC) -std=c11 -o $(BUILD)/readme_shared $(BUILD)/readme_example.c $$(pkg-config --cflags --libs wrapgemm) -Wl,-rpath,$(CURDIR)/$(BUILD)/stage/usr/lib'
	$(RUN) ./$(BUILD)/readme_shared > /dev/null
	@# A second install with another PREFIX must not keep the first one's .pc.
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(BUILD)/stage PREFIX=/opt/wg2
	grep -qx 'prefix=/opt/wg2' $(BUILD)/stage/opt/wg2/lib/pkgconfig/wrapgemm.pc
	grep -qx 'prefix=/usr' $(BUILD)/stage/usr/lib/pkgconfig/wrapgemm.pc
	@echo "test-install: ok"
	@echo "1 passed, 0 failed, 0 skipped"
