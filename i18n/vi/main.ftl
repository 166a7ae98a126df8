# hues — Tiếng Việt (ngôn ngữ mặc định)
app-name = hues · Huế
app-tagline = Kết nối người dân với thành phố

nav-label = Điều hướng chính
skip-to-content = Đến nội dung chính
nav-home = Trang chủ
nav-report = Phản ánh
nav-alerts = Cảnh báo
nav-map = Bản đồ
nav-me = Của tôi

sync-online = Trực tuyến
sync-offline = Ngoại tuyến
sync-waiting = { $count ->
    [0] Không có phản ánh chờ gửi
   *[other] { $count } phản ánh chờ gửi
}
sync-failed = { $count } phản ánh bị từ chối
sync-last = Đồng bộ lần cuối: { $time }
sync-never = Chưa đồng bộ lần nào
sync-now = Đồng bộ ngay
sync-status-label = Trạng thái đồng bộ

home-title = Dịch vụ
home-intro = Chọn một nhóm dịch vụ. Các nhóm chưa có trong phiên bản này được ghi rõ.
home-available = Sẵn sàng
home-not-yet = Chưa có trong phiên bản này
group-reports = Phản ánh hiện trường
group-reports-desc = Gửi phản ánh về sự cố trên đường phố, kể cả khi không có mạng.
group-warnings = Cảnh báo
group-warnings-desc = Cảnh báo lũ lụt, bão và đóng đường.
group-essential = Dịch vụ thiết yếu
group-essential-desc = Điện, nước, chợ, ATM gần bạn.
group-transport = Giao thông
group-transport-desc = Xe buýt, bến xe, bãi đỗ xe.
group-education = Giáo dục
group-education-desc = Trường học và tuyển sinh.
group-health = Y tế
group-health-desc = Bệnh viện, phòng khám, nhà thuốc.
group-heritage = Di sản và du lịch
group-heritage-desc = Đại Nội, lăng tẩm, giờ mở cửa, vé.
group-planning = Quy hoạch đất đai
group-planning-desc = Tra cứu quy hoạch sử dụng đất.
group-procedures = Thủ tục hành chính
group-procedures-desc = Tra cứu thủ tục và theo dõi hồ sơ.

report-title = Gửi phản ánh
report-category = Loại sự cố
report-category-choose = — Chọn loại sự cố —
report-category-choose-value = — Chọn —
report-no-categories = Chưa tải được danh sách loại sự cố. Hãy kết nối mạng một lần để đồng bộ.
report-description = Mô tả
report-description-hint = Điều gì đang xảy ra, ở đâu? (tối đa 4.000 ký tự)
report-photos = Ảnh (tối đa 5)
report-photos-hint = Chụp hoặc chọn ảnh JPEG, PNG, WebP. Ảnh được thu nhỏ và xoá thông tin ẩn trước khi gửi.
report-add-photo = Thêm ảnh
report-photo-adding = Đang xử lý ảnh…
report-photo-n = Ảnh { $n }
report-photo-remove = Bỏ ảnh { $n }
report-photo-position = Ảnh có ghi vị trí: { $place }
report-use-photo-position = Dùng vị trí của ảnh
report-too-many-photos = Mỗi phản ánh có tối đa 5 ảnh.
report-location = Vị trí
report-latitude = Vĩ độ
report-longitude = Kinh độ
report-location-hint = Độ thập phân, ví dụ 16.4637 và 107.5909
report-submit = Gửi phản ánh
report-saving = Đang lưu…
report-saved = Đã lưu phản ánh trên máy. Phản ánh sẽ tự gửi khi có mạng.
report-see-mine = Xem phản ánh của tôi
report-draft-kept = Bản nháp được lưu tự động.
report-fix-errors = Vui lòng sửa các mục được đánh dấu.

me-title = Của tôi
me-reports = Phản ánh của tôi
me-settings = Cài đặt

reports-title = Phản ánh của tôi
reports-empty = Bạn chưa gửi phản ánh nào.
reports-created = Tạo lúc { $time }
reports-history = Quá trình xử lý
delivery-saved = Đã lưu trên máy
delivery-sending = Đang gửi
delivery-delivered = Đã gửi
delivery-refused = Bị từ chối: { $reason }
status-received = Thành phố đã tiếp nhận
status-assigned = Đã chuyển đơn vị xử lý
status-in_progress = Đang xử lý
status-resolved = Đã giải quyết
status-rejected = Không xử lý
status-duplicate = Trùng với phản ánh khác

settings-title = Cài đặt
settings-language = Ngôn ngữ
settings-server = Địa chỉ máy chủ
settings-server-hint = Ví dụ http://127.0.0.1:8787
settings-save = Lưu
settings-saved = Đã lưu cài đặt.

alerts-title = Cảnh báo
map-title = Bản đồ
not-built = Phần này chưa có trong phiên bản này. Chúng tôi sẽ bổ sung ở bản sau.
not-built-list = Khi có bản đồ, mọi việc trên bản đồ cũng làm được từ danh sách.

error-title = Có lỗi
error-malformed_json = Dữ liệu gửi đi bị hỏng.
error-missing_field = Mục này còn trống.
error-invalid_type = Giá trị không đúng kiểu.
error-invalid_value = Giá trị không hợp lệ.
error-out_of_range = Tọa độ nằm ngoài phạm vi cho phép.
error-too_long = Nội dung quá dài (tối đa 4.000 ký tự).
error-unknown_category = Loại sự cố không tồn tại.
error-id_conflict = Phản ánh này trùng mã với một phản ánh khác.
error-unauthorized = Máy chủ không nhận ra thiết bị này.
error-forbidden = Bạn không có quyền làm việc này.
error-not_found = Không tìm thấy.
error-method_not_allowed = Thao tác không được hỗ trợ.
error-unsupported_media_type = Định dạng dữ liệu không được hỗ trợ.
error-payload_too_large = Dữ liệu quá lớn.
error-rate_limited = Quá nhiều yêu cầu, vui lòng thử lại sau.
error-internal = Máy chủ gặp sự cố, vui lòng thử lại sau.
error-network = Không kết nối được máy chủ.
error-storage = Không lưu được dữ liệu trên máy.
error-bad_response = Máy chủ trả lời không hợp lệ.
error-photo_too_large = Ảnh quá lớn (tối đa 30 MB).
error-photo_too_many_pixels = Ảnh có quá nhiều điểm ảnh (tối đa 40 megapixel).
error-photo_unsupported = Định dạng ảnh này chưa được hỗ trợ (ví dụ HEIC). Hãy dùng JPEG, PNG hoặc WebP.
error-photo_not_an_image = Tệp này không phải là ảnh.
error-photo_corrupt = Ảnh bị hỏng hoặc chưa tải xong.
field-category = Loại sự cố
field-description = Mô tả
field-latitude = Vĩ độ
field-longitude = Kinh độ
