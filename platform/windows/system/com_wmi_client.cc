#include "platform/windows/system/com_wmi_client.h"

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <objbase.h>
#include <oleauto.h>
#include <wbemcli.h>
// clang-format on

#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <utility>

#include "platform/windows/system/win_strings.h"

namespace bulwark {

struct ComWmiClient::State {
  ComPtr<IWbemLocator> locator;
  std::map<std::string, ComPtr<IWbemServices>> services;  // by namespace as the caller spelt it
};

namespace {

// An owning BSTR.
class Bstr {
 public:
  explicit Bstr(std::string_view utf8) {
    std::wstring wide = Utf8ToWide(utf8);
    b_ = ::SysAllocStringLen(wide.data(), static_cast<UINT>(wide.size()));
  }
  ~Bstr() { ::SysFreeString(b_); }
  Bstr(const Bstr&) = delete;
  Bstr& operator=(const Bstr&) = delete;
  BSTR get() const { return b_; }

 private:
  BSTR b_ = nullptr;
};

// An owning VARIANT.
class Variant {
 public:
  Variant() { ::VariantInit(&v_); }
  ~Variant() { ::VariantClear(&v_); }
  Variant(const Variant&) = delete;
  Variant& operator=(const Variant&) = delete;
  VARIANT* get() { return &v_; }

 private:
  VARIANT v_;
};

std::string FromBstr(BSTR b) {
  if (b == nullptr) return {};
  return WideToUtf8(std::wstring_view(b, ::SysStringLen(b)));
}

Status Fail(HRESULT hr, const std::string& ns, std::string_view operation) {
  return HresultToStatus(hr, ns + ": " + std::string(operation));
}

bool IsIntegerCim(CIMTYPE base) {
  switch (base) {
    case CIM_SINT8:
    case CIM_UINT8:
    case CIM_SINT16:
    case CIM_UINT16:
    case CIM_SINT32:
    case CIM_UINT32:
    case CIM_SINT64:
    case CIM_UINT64:
    case CIM_CHAR16:
      return true;
    default:
      return false;
  }
}

// One scalar element of a VARIANT or SAFEARRAY as an integer, honouring the CIM type (CIM
// uint32 arrives as a signed VT_I4, uint16 as VT_I4, uint64/sint64 as a decimal BSTR).
std::optional<std::int64_t> IntegerOf(VARTYPE vt, const void* data, CIMTYPE base) {
  switch (vt) {
    case VT_UI1:
      return *static_cast<const BYTE*>(data);
    case VT_I1:
      return *static_cast<const signed char*>(data);
    case VT_I2: {
      const SHORT v = *static_cast<const SHORT*>(data);
      return base == CIM_UINT16 || base == CIM_CHAR16 ? std::int64_t{static_cast<USHORT>(v)} : v;
    }
    case VT_UI2:
      return *static_cast<const USHORT*>(data);
    case VT_I4:
    case VT_INT: {
      const LONG v = *static_cast<const LONG*>(data);
      return base == CIM_UINT32 ? std::int64_t{static_cast<ULONG>(v)} : std::int64_t{v};
    }
    case VT_UI4:
    case VT_UINT:
      return *static_cast<const ULONG*>(data);
    case VT_I8:
      return *static_cast<const LONGLONG*>(data);
    case VT_UI8:
      return static_cast<std::int64_t>(*static_cast<const ULONGLONG*>(data));
    case VT_BOOL:
      return *static_cast<const VARIANT_BOOL*>(data) != VARIANT_FALSE ? 1 : 0;
    case VT_BSTR: {
      std::string text = FromBstr(*static_cast<const BSTR*>(data));
      if (text.empty()) return std::nullopt;
      errno = 0;
      char* end = nullptr;
      std::int64_t v = 0;
      if (base == CIM_UINT64) {
        v = static_cast<std::int64_t>(std::strtoull(text.c_str(), &end, 10));
      } else {
        v = std::strtoll(text.c_str(), &end, 10);
      }
      if (errno != 0 || end == nullptr || *end != '\0') return std::nullopt;
      return v;
    }
    default:
      return std::nullopt;
  }
}

std::optional<WmiValue> ConvertArray(const VARIANT& var, CIMTYPE base) {
  SAFEARRAY* array = V_ARRAY(&var);
  if (array == nullptr) return WmiValue(std::monostate{});
  const VARTYPE vt = static_cast<VARTYPE>(V_VT(&var) & ~VT_ARRAY);
  LONG lower = 0, upper = -1;
  if (FAILED(::SafeArrayGetLBound(array, 1, &lower)) ||
      FAILED(::SafeArrayGetUBound(array, 1, &upper))) {
    return std::nullopt;
  }
  void* raw = nullptr;
  if (FAILED(::SafeArrayAccessData(array, &raw))) return std::nullopt;
  const auto count = upper >= lower ? static_cast<std::size_t>(upper - lower + 1) : 0u;
  const std::size_t element = ::SafeArrayGetElemsize(array);
  const auto* bytes = static_cast<const unsigned char*>(raw);
  std::optional<WmiValue> result;
  if (vt == VT_BSTR && !IsIntegerCim(base)) {
    std::vector<std::string> strings;
    for (std::size_t i = 0; i < count; ++i) {
      strings.push_back(FromBstr(*reinterpret_cast<const BSTR*>(bytes + i * element)));
    }
    result = WmiValue(std::move(strings));
  } else {
    std::vector<std::int64_t> numbers;
    bool ok = true;
    for (std::size_t i = 0; i < count && ok; ++i) {
      auto v = IntegerOf(vt, bytes + i * element, base);
      if (v) {
        numbers.push_back(*v);
      } else {
        ok = false;
      }
    }
    if (ok) result = WmiValue(std::move(numbers));
  }
  ::SafeArrayUnaccessData(array);
  return result;
}

// VARIANT -> WmiValue by CIM type; nullopt for types the model does not carry.
std::optional<WmiValue> Convert(const VARIANT& var, CIMTYPE cim) {
  const VARTYPE vt = V_VT(&var);
  if (vt == VT_NULL || vt == VT_EMPTY) return WmiValue(std::monostate{});
  const CIMTYPE base = cim & ~CIM_FLAG_ARRAY;
  if ((vt & VT_ARRAY) != 0) return ConvertArray(var, base);
  switch (vt) {
    case VT_BOOL:
      return WmiValue(V_BOOL(&var) != VARIANT_FALSE);
    case VT_R4:
      return WmiValue(static_cast<double>(V_R4(&var)));
    case VT_R8:
      return WmiValue(V_R8(&var));
    case VT_BSTR:
      if (base == CIM_UINT64) {
        auto v = IntegerOf(vt, &V_BSTR(&var), base);
        if (!v) return std::nullopt;
        return WmiValue(static_cast<std::uint64_t>(*v));
      }
      if (base == CIM_SINT64) {
        auto v = IntegerOf(vt, &V_BSTR(&var), base);
        if (!v) return std::nullopt;
        return WmiValue(*v);
      }
      return WmiValue(FromBstr(V_BSTR(&var)));
    case VT_UI8:
      return WmiValue(static_cast<std::uint64_t>(V_UI8(&var)));
    default: {
      // Scalar integers: the data sits at the start of the VARIANT's value union.
      auto v = IntegerOf(vt, &V_UI1(&var), base);
      if (!v) return std::nullopt;
      return WmiValue(*v);
    }
  }
}

// The non-system properties of one object.
Result<WmiRow> RowOf(IWbemClassObject* object, const std::string& ns) {
  WmiRow row;
  HRESULT hr = object->BeginEnumeration(WBEM_FLAG_NONSYSTEM_ONLY);
  if (FAILED(hr)) return Fail(hr, ns, "BeginEnumeration");
  for (;;) {
    BSTR name = nullptr;
    Variant value;
    CIMTYPE cim = 0;
    hr = object->Next(0, &name, value.get(), &cim, nullptr);
    if (hr == WBEM_S_NO_MORE_DATA) break;
    if (FAILED(hr)) {
      object->EndEnumeration();
      return Fail(hr, ns, "IWbemClassObject::Next");
    }
    std::string key = FromBstr(name);
    ::SysFreeString(name);
    if (auto converted = Convert(*value.get(), cim)) row[std::move(key)] = std::move(*converted);
  }
  object->EndEnumeration();
  return row;
}

// WmiValue -> VARIANT of the type the method signature declares for the parameter.
Status ToVariant(const WmiValue& value, CIMTYPE cim, VARIANT* out, const std::string& what) {
  const CIMTYPE base = cim & ~CIM_FLAG_ARRAY;
  auto bad = [&] {
    return InvalidArgumentError(what + ": value does not fit CIM type " + std::to_string(cim));
  };
  if (std::holds_alternative<std::monostate>(value)) {
    V_VT(out) = VT_NULL;
    return Status();
  }
  if ((cim & CIM_FLAG_ARRAY) != 0) {
    if (const auto* strings = std::get_if<std::vector<std::string>>(&value)) {
      SAFEARRAY* array = ::SafeArrayCreateVector(VT_BSTR, 0, static_cast<ULONG>(strings->size()));
      if (array == nullptr) return ResourceExhaustedError(what + ": SafeArrayCreateVector");
      for (LONG i = 0; i < static_cast<LONG>(strings->size()); ++i) {
        Bstr b((*strings)[static_cast<std::size_t>(i)]);
        ::SafeArrayPutElement(array, &i, b.get());  // copies the BSTR
      }
      V_VT(out) = VT_ARRAY | VT_BSTR;
      V_ARRAY(out) = array;
      return Status();
    }
    if (const auto* numbers = std::get_if<std::vector<std::int64_t>>(&value)) {
      SAFEARRAY* array = ::SafeArrayCreateVector(VT_I4, 0, static_cast<ULONG>(numbers->size()));
      if (array == nullptr) return ResourceExhaustedError(what + ": SafeArrayCreateVector");
      for (LONG i = 0; i < static_cast<LONG>(numbers->size()); ++i) {
        LONG v = static_cast<LONG>((*numbers)[static_cast<std::size_t>(i)]);
        ::SafeArrayPutElement(array, &i, &v);
      }
      V_VT(out) = VT_ARRAY | VT_I4;
      V_ARRAY(out) = array;
      return Status();
    }
    return bad();
  }
  std::optional<std::int64_t> integer;
  if (const auto* i = std::get_if<std::int64_t>(&value)) integer = *i;
  if (const auto* u = std::get_if<std::uint64_t>(&value)) integer = static_cast<std::int64_t>(*u);
  if (const auto* b = std::get_if<bool>(&value)) integer = *b ? 1 : 0;
  switch (base) {
    case CIM_BOOLEAN:
      if (!integer) return bad();
      V_VT(out) = VT_BOOL;
      V_BOOL(out) = *integer != 0 ? VARIANT_TRUE : VARIANT_FALSE;
      return Status();
    case CIM_UINT8:
      if (!integer) return bad();
      V_VT(out) = VT_UI1;
      V_UI1(out) = static_cast<BYTE>(*integer);
      return Status();
    case CIM_SINT8:
    case CIM_SINT16:
      if (!integer) return bad();
      V_VT(out) = VT_I2;
      V_I2(out) = static_cast<SHORT>(*integer);
      return Status();
    case CIM_UINT16:
    case CIM_UINT32:
    case CIM_SINT32:
    case CIM_CHAR16:
      if (!integer) return bad();
      V_VT(out) = VT_I4;
      // A CIM uint32 travels as VT_I4 with the same bits (0x80000002 for HKEY_LOCAL_MACHINE).
      V_I4(out) = static_cast<LONG>(static_cast<std::uint32_t>(*integer));
      return Status();
    case CIM_UINT64:
    case CIM_SINT64: {
      std::string text;
      if (const auto* u = std::get_if<std::uint64_t>(&value)) {
        text = std::to_string(*u);
      } else if (integer) {
        text = std::to_string(*integer);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        text = *s;
      } else {
        return bad();
      }
      std::wstring wide = Utf8ToWide(text);
      V_VT(out) = VT_BSTR;
      V_BSTR(out) = ::SysAllocStringLen(wide.data(), static_cast<UINT>(wide.size()));
      return Status();
    }
    case CIM_REAL32:
    case CIM_REAL64: {
      double d = 0;
      if (const auto* dv = std::get_if<double>(&value)) {
        d = *dv;
      } else if (integer) {
        d = static_cast<double>(*integer);
      } else {
        return bad();
      }
      V_VT(out) = VT_R8;
      V_R8(out) = d;
      return Status();
    }
    default: {
      const auto* s = std::get_if<std::string>(&value);
      if (s == nullptr) return bad();
      std::wstring wide = Utf8ToWide(*s);
      V_VT(out) = VT_BSTR;
      V_BSTR(out) = ::SysAllocStringLen(wide.data(), static_cast<UINT>(wide.size()));
      return Status();
    }
  }
}

// The cached IWbemServices for `ns`, connecting on first use. Runs on the COM thread.
Result<IWbemServices*> Services(ComWmiClient::State& state, const std::string& ns) {
  if (auto it = state.services.find(ns); it != state.services.end()) return it->second.get();
  if (!state.locator) {
    HRESULT hr =
        ::CoCreateInstance(CLSID_WbemLocator, nullptr, CLSCTX_INPROC_SERVER, IID_IWbemLocator,
                           reinterpret_cast<void**>(state.locator.Out()));
    if (FAILED(hr)) return Fail(hr, ns, "CoCreateInstance(WbemLocator)");
  }
  Bstr resource(ns);
  ComPtr<IWbemServices> services;
  HRESULT hr = state.locator->ConnectServer(resource.get(), nullptr, nullptr, nullptr,
                                            WBEM_FLAG_CONNECT_USE_MAX_WAIT, nullptr, nullptr,
                                            services.Out());
  if (FAILED(hr)) return Fail(hr, ns, "connect");
  // Impersonation for the calls on this proxy. An in-process server (Wine's wbemprox) has no
  // proxy and answers E_NOINTERFACE, which is harmless: there is nothing to configure.
  hr = ::CoSetProxyBlanket(services.get(), RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, nullptr,
                           RPC_C_AUTHN_LEVEL_CALL, RPC_C_IMP_LEVEL_IMPERSONATE, nullptr, EOAC_NONE);
  if (FAILED(hr) && hr != E_NOINTERFACE) return Fail(hr, ns, "CoSetProxyBlanket");
  IWbemServices* raw = services.get();
  state.services.emplace(ns, std::move(services));
  return raw;
}

Result<std::vector<WmiRow>> RunQuery(ComWmiClient::State& state, const std::string& ns,
                                     const std::string& wql, std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(IWbemServices * services, Services(state, ns));
  Bstr language("WQL");
  Bstr query(wql);
  ComPtr<IEnumWbemClassObject> enumerator;
  HRESULT hr = services->ExecQuery(language.get(), query.get(),
                                   WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, nullptr,
                                   enumerator.Out());
  if (FAILED(hr)) return Fail(hr, ns, "ExecQuery");
  std::vector<WmiRow> rows;
  for (;;) {
    ComPtr<IWbemClassObject> object;
    ULONG returned = 0;
    hr = enumerator->Next(static_cast<LONG>(timeout.count()), 1, object.Out(), &returned);
    if (hr == WBEM_S_TIMEDOUT) {
      return DeadlineExceededError(ns + ": query: no row within " +
                                   std::to_string(timeout.count()) + " ms: " + wql);
    }
    if (FAILED(hr)) return Fail(hr, ns, "query");
    if (returned == 0) break;  // WBEM_S_FALSE: the end
    ASSIGN_OR_RETURN(WmiRow row, RowOf(object.get(), ns));
    rows.push_back(std::move(row));
  }
  return rows;
}

// "Win32_EncryptableVolume.DeviceID='...'" -> "Win32_EncryptableVolume"; "StdRegProv" stays.
std::string ClassOfPath(const std::string& path) {
  std::string cls = path.substr(0, path.find_first_of(".="));
  if (auto colon = cls.rfind(':'); colon != std::string::npos) cls = cls.substr(colon + 1);
  return cls;
}

Result<WmiRow> RunMethod(ComWmiClient::State& state, const std::string& ns, const std::string& path,
                         const std::string& method, const WmiRow& in) {
  ASSIGN_OR_RETURN(IWbemServices * services, Services(state, ns));
  const std::string cls = ClassOfPath(path);
  Bstr class_name(cls);
  ComPtr<IWbemClassObject> class_object;
  HRESULT hr = services->GetObject(class_name.get(), 0, nullptr, class_object.Out(), nullptr);
  if (FAILED(hr)) return Fail(hr, ns, cls + ": GetObject");
  Bstr method_name(method);
  ComPtr<IWbemClassObject> signature;
  hr = class_object->GetMethod(method_name.get(), 0, signature.Out(), nullptr);
  if (FAILED(hr)) return Fail(hr, ns, cls + "." + method + ": GetMethod");
  ComPtr<IWbemClassObject> params;
  if (signature) {
    hr = signature->SpawnInstance(0, params.Out());
    if (FAILED(hr)) return Fail(hr, ns, cls + "." + method + ": SpawnInstance");
  }
  for (const auto& [name, value] : in) {
    const std::string what = ns + ": " + cls + "." + method + "(" + name + ")";
    if (!params) return InvalidArgumentError(what + ": the method takes no parameters");
    Bstr param(name);
    CIMTYPE cim = 0;
    hr = params->Get(param.get(), 0, nullptr, &cim, nullptr);
    if (FAILED(hr)) {
      if (hr == static_cast<HRESULT>(WBEM_E_NOT_FOUND))
        return InvalidArgumentError(what + ": no such in-parameter");
      return Fail(hr, ns, cls + "." + method + ": Get(" + name + ")");
    }
    Variant v;
    RETURN_IF_ERROR(ToVariant(value, cim, v.get(), what));
    hr = params->Put(param.get(), 0, v.get(), 0);
    if (FAILED(hr)) return Fail(hr, ns, cls + "." + method + ": Put(" + name + ")");
  }
  Bstr object_path(path);
  ComPtr<IWbemClassObject> out;
  hr = services->ExecMethod(object_path.get(), method_name.get(), 0, nullptr, params.get(),
                            out.Out(), nullptr);
  if (FAILED(hr)) return Fail(hr, ns, cls + "." + method);
  if (!out) return WmiRow{};
  return RowOf(out.get(), ns);
}

}  // namespace

Result<std::unique_ptr<ComWmiClient>> ComWmiClient::Create(std::shared_ptr<ComThread> com,
                                                           Options options) {
  if (com == nullptr) return InvalidArgumentError("ComWmiClient: no COM thread");
  auto state = std::make_shared<State>();
  return std::unique_ptr<ComWmiClient>(new ComWmiClient(std::move(com), options, std::move(state)));
}

ComWmiClient::~ComWmiClient() {
  // The interfaces belong to the COM thread's apartment: release them there.
  auto released = com_->Invoke<bool>(
      [state = std::move(state_)]() mutable -> Result<bool> {
        state->services.clear();
        state->locator.Reset();
        state.reset();
        return true;
      },
      options_.call_timeout);
  (void)released;  // a timed-out release still runs once the COM thread is free
}

Result<std::vector<WmiRow>> ComWmiClient::Query(const std::string& wmi_namespace,
                                                const std::string& wql) {
  return com_->Invoke<std::vector<WmiRow>>(
      [state = state_, ns = wmi_namespace, wql, timeout = options_.next_timeout] {
        return RunQuery(*state, ns, wql, timeout);
      },
      options_.call_timeout);
}

Result<WmiRow> ComWmiClient::CallMethod(const std::string& wmi_namespace,
                                        const std::string& object_path, const std::string& method,
                                        const WmiRow& in) {
  return com_->Invoke<WmiRow>([state = state_, ns = wmi_namespace, object_path, method,
                               in] { return RunMethod(*state, ns, object_path, method, in); },
                              options_.call_timeout);
}

}  // namespace bulwark
