#!/usr/bin/python3
"""The demo's base map: raster XYZ tiles (256 px PNG, Web Mercator) of Huế's OpenStreetMap extract,
rendered offline with Mapnik from a style written here (a calm take on OSM's standard look).

Debian: apt-get install python3-mapnik gdal-bin fonts-dejavu-core   (./x installs them)
Usage:  /usr/bin/python3 build_tiles.py hue.osm.pbf OUT_DIR --mbtiles hue.mbtiles --no-dir
            [--zooms 11-16] [--fmt png8|png32] [--bbox 107.50,16.40,107.70,16.60] [--jobs 2] [--dark]
Writes OUT_DIR/{z}/{x}/{y}.png unless --no-dir, and the MBTiles file hues-server serves
(`--tiles`); keeps its work files (GeoPackage, sea polygon, style.xml) in OUT_DIR/../work.
Data © OpenStreetMap contributors (ODbL 1.0): show that attribution wherever the map is shown.
"""
import argparse, json, math, os, sqlite3, subprocess, sys, time
from multiprocessing import Pool
import mapnik

HERE = os.path.dirname(os.path.abspath(__file__))
MERC = ('+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 '
        '+units=m +nadgrids=@null +wktext +no_defs')
R = 20037508.342789244
META = 8  # render 8x8 tiles at once, then cut

# ---------------------------------------------------------------- style ----
LIGHT = dict(land='#f4f1ec', water='#aad3df', water_text='#3f6f93', resid='#ece8e2',
             green='#d6ebc4', park='#c9e9b5', wood='#b5d5a2', farm='#eef0d5',
             cemetery='#c6dcc2', civic='#f5efd9', comm='#f3e1dc', indus='#e9e1ea',
             historic='#eee0c7', wall='#a8876a', bldg='#ddd4cb', bldg_line='#c8bbb0',
             casing='#c7bdb2', minor='#ffffff', minor_lo='#d6cec6', service='#ffffff',
             path='#e0a090', track='#ad8a5f', rail='#9b9b9b', text='#3d3d3d',
             halo='#ffffff', place='#333333', subplace='#5f5f5f',
             major={'trunk': ('#f5b998', '#cf8b6a'), 'primary': ('#fcd7a6', '#d2a46b'),
                    'secondary': ('#f8f5c4', '#bdb784'), 'tertiary': ('#ffffff', '#bdb3a8')})
DARK = dict(LIGHT, land='#22262b', water='#263d52', water_text='#8fb3d1', resid='#272b30',
            green='#25302a', park='#263326', wood='#243024', farm='#272b26',
            cemetery='#263028', civic='#2d2c28', comm='#2e2a2a', indus='#2b2830',
            historic='#332d24', wall='#8a7058', bldg='#33373d', bldg_line='#3d4249',
            casing='#14171a', minor='#444a52', minor_lo='#3a4047', service='#3d434a',
            path='#7a5a52', track='#6b5a45', rail='#666666', text='#d9d9d9',
            halo='#22262b', place='#eeeeee', subplace='#b0b0b0',
            major={'trunk': ('#8a5a43', '#14171a'), 'primary': ('#7a6445', '#14171a'),
                   'secondary': ('#5e5c48', '#14171a'), 'tertiary': ('#50555c', '#14171a')})

ZS = [11, 12, 13, 14, 15, 16, 17, 18]  # zooms the width tables cover
def scale_range(z0, z1=99):
    """Mapnik scale denominators bracketing zooms z0..z1 (256 px tiles)."""
    s = lambda z: 559082264.028 / 2 ** z
    out = ' <MaxScaleDenominator>%d</MaxScaleDenominator>' % (s(z0) * 1.41)
    if z1 < 99:
        out += '<MinScaleDenominator>%d</MinScaleDenominator>' % (s(z1) / 1.41)
    return out

# fill widths in px for z11..z18; 0 = not drawn
ROADS = [  # (class, filter, widths)
    ('tertiary', "[highway]='tertiary' or [highway]='tertiary_link'", [0.8, 1.2, 2.2, 3.6, 6, 9, 13, 18]),
    ('secondary', "[highway]='secondary' or [highway]='secondary_link'", [1.1, 1.7, 2.8, 4.2, 6.8, 10, 14, 19]),
    ('primary', "[highway]='primary' or [highway]='primary_link'", [1.5, 2.2, 3.2, 4.6, 7.2, 10.5, 15, 20]),
    ('trunk', "[highway]='trunk' or [highway]='trunk_link' or [highway]='motorway' or [highway]='motorway_link'",
     [1.7, 2.4, 3.5, 5, 7.6, 11, 16, 21]),
]
MINOR = "[highway]='residential' or [highway]='unclassified' or [highway]='living_street' or [highway]='road' or [highway]='pedestrian'"
MINOR_W = [0, 0.5, 0.9, 2.4, 4.4, 7.5, 11, 16]
SERVICE_W = [0, 0, 0, 0.8, 1.8, 3.5, 6, 9]
PATHS = "[highway]='footway' or [highway]='path' or [highway]='cycleway' or [highway]='steps' or [highway]='corridor'"

def line_rules(flt, widths, color, casing=None, extra='', minz_casing=13):
    out = []
    for z, w in zip(ZS, widths):
        if not w:
            continue
        zmax = 99 if z == ZS[-1] else z
        if casing is not None:
            if z < minz_casing:
                continue
            w = w + (1.2 if z < 15 else 1.8)
        out.append('<Rule><Filter>%s</Filter>%s<LineSymbolizer stroke="%s" stroke-width="%g" '
                   'stroke-linecap="round" stroke-linejoin="round"%s/></Rule>'
                   % (flt, scale_range(z, zmax), casing or color, w, extra))
    return '\n'.join(out)

def text(expr, size, fill, halo, face='regular', halo_r=1.5, placement='point', extra=''):
    return ('<TextSymbolizer fontset-name="%s" size="%g" fill="%s" halo-fill="%s" halo-radius="%g" '
            'placement="%s" %s>%s</TextSymbolizer>' % (face, size, fill, halo, halo_r, placement, extra, expr))

def style_xml(gpkg, sea, c):
    def ds(layer=None, sql=None):
        p = '<Parameter name="type">ogr</Parameter><Parameter name="file">%s</Parameter>' % gpkg
        p += ('<Parameter name="layer_by_sql">%s</Parameter>' % sql) if sql else \
             '<Parameter name="layer">%s</Parameter>' % layer
        return '<Datasource>%s</Datasource>' % p
    def layer(name, styles, dsx, srs=MERC):
        return '<Layer name="%s" srs="%s">%s%s</Layer>' % (
            name, srs, ''.join('<StyleName>%s</StyleName>' % s for s in styles.split()), dsx)
    S, L = [], []
    def style(name, rules, extra=''):
        S.append('<Style name="%s"%s>%s</Style>' % (name, extra, rules))

    # land use / parks: one polygon style, first matching rule wins
    lu = [("[landuse]='residential'", c['resid'], 12),
          ("[landuse]='commercial' or [landuse]='retail'", c['comm'], 12),
          ("[landuse]='industrial' or [landuse]='quarry'", c['indus'], 12),
          ("[landuse]='farmland' or [landuse]='meadow' or [landuse]='farmyard'", c['farm'], 11),
          ("[leisure]='park' or [leisure]='garden' or [leisure]='pitch' or [leisure]='sports_centre'", c['park'], 11),
          ("[landuse]='grass' or [natural]='grassland' or [natural]='scrub' or [landuse]='village_green' or [natural]='wetland'", c['green'], 12),
          ("[landuse]='forest' or [natural]='wood'", c['wood'], 11),
          ("[landuse]='cemetery' or [amenity]='grave_yard'", c['cemetery'], 12),
          ("[amenity]='school' or [amenity]='university' or [amenity]='college' or [amenity]='hospital' or [landuse]='religious' or [amenity]='place_of_worship' or [amenity]='monastery'", c['civic'], 13),
          ("[historic]='castle' or [historic]='ruins' or [historic]='tomb' or [historic]='citadel' or [historic]='archaeological_site'", c['historic'], 13)]
    style('landuse', ''.join('<Rule><Filter>%s</Filter>%s<PolygonSymbolizer fill="%s"/></Rule>'
                             % (f, scale_range(z), col) for f, col, z in lu), ' filter-mode="first"')
    L.append(layer('landuse', 'landuse', ds(sql="SELECT geom, landuse, leisure, natural, amenity, historic, building "
                                           "FROM multipolygons WHERE building IS NULL ORDER BY ST_Area(geom) DESC")))
    # water
    style('water-poly', '<Rule><PolygonSymbolizer fill="%s"/></Rule>' % c['water'])
    L.append(layer('water', 'water-poly', ds(sql="SELECT geom FROM multipolygons WHERE natural='water' "
                   "OR waterway='riverbank' OR landuse='basin' OR landuse='reservoir' OR leisure='swimming_pool'")))
    if sea:
        L.append(layer('sea', 'water-poly', '<Datasource><Parameter name="type">geojson</Parameter>'
                       '<Parameter name="file">%s</Parameter></Datasource>' % sea, '+proj=longlat +datum=WGS84 +no_defs'))
    ww = line_rules("[waterway]='river' or [waterway]='canal'", [1, 1.4, 2, 3, 4, 6, 8, 10], c['water'])
    ww += line_rules("[waterway]='stream' or [waterway]='ditch' or [waterway]='drain'", [0, 0, 0.8, 1, 1.5, 2, 3, 4], c['water'])
    style('waterways', ww)
    L.append(layer('waterways', 'waterways', ds(sql="SELECT geom, waterway FROM lines WHERE waterway IN "
                   "('river','canal','stream','ditch','drain') AND (tunnel IS NULL OR tunnel='no')")))
    # buildings
    style('buildings', '<Rule>%s<PolygonSymbolizer fill="%s"/></Rule><Rule>%s<LineSymbolizer stroke="%s" stroke-width="0.6"/></Rule>'
          % (scale_range(14), c['bldg'], scale_range(15), c['bldg_line']))
    L.append(layer('buildings', 'buildings', ds(sql="SELECT geom FROM multipolygons WHERE building IS NOT NULL")))
    # citadel / city walls
    style('walls', ('<Rule><Filter>[historic]=\'citywalls\'</Filter>%s<PolygonSymbolizer fill="%s"/></Rule>'
                    '<Rule><Filter>[barrier]=\'city_wall\'</Filter>%s<LineSymbolizer stroke="%s" stroke-width="1.2"/></Rule>'
                    '<Rule><Filter>[barrier]=\'city_wall\'</Filter>%s<LineSymbolizer stroke="%s" stroke-width="3"/></Rule>')
          % (scale_range(13), c['wall'], scale_range(12, 14), c['wall'], scale_range(15), c['wall']))
    L.append(layer('walls-poly', 'walls', ds(sql="SELECT geom, historic, NULL AS barrier FROM multipolygons WHERE historic='citywalls'")))
    L.append(layer('walls-line', 'walls', ds(sql="SELECT geom, barrier, NULL AS historic FROM lines WHERE barrier='city_wall'")))
    # roads: casings, then fills, both ordered by OSM z_order
    cas = line_rules(MINOR, MINOR_W[:2] + [0] + MINOR_W[3:], None, c['casing'])
    cas += line_rules("[highway]='service'", SERVICE_W, None, c['casing'], minz_casing=15)
    for name, f, w in ROADS:
        cas += line_rules(f, w, None, c['major'][name][1])
    fill = line_rules(PATHS + " or [highway]='track'", [0, 0, 0, 0, 1, 1.2, 1.5, 2], c['path'],
                      extra=' stroke-dasharray="3,2" stroke-opacity="0.8"')
    fill += line_rules(MINOR, [0, MINOR_W[1], MINOR_W[2]], c['minor_lo'])
    fill += line_rules(MINOR, [0, 0, 0] + MINOR_W[3:], c['minor'])
    fill += line_rules("[highway]='service'", SERVICE_W, c['service'])
    for name, f, w in ROADS:
        fill += line_rules(f, w, c['major'][name][0])
    fill += line_rules("[railway]='rail'", [1, 1, 1.2, 1.5, 2, 2, 3, 3], c['rail'])
    style('roads-casing', cas)
    style('roads-fill', fill)
    road_sql = "SELECT geom, highway, railway FROM lines WHERE (highway IS NOT NULL OR railway='rail') ORDER BY z_order"
    L.append(layer('roads-casing', 'roads-casing', ds(sql=road_sql)))
    L.append(layer('roads-fill', 'roads-fill', ds(sql=road_sql)))

    # labels
    t = ''
    river = "[waterway]='river' or [waterway]='canal'"
    for z, size in ((13, 10), (15, 12)):
        t += '<Rule><Filter>%s</Filter>%s%s</Rule>' % (river, scale_range(z, 14 if z == 13 else 99), text(
            '[name]', size, c['water_text'], c['halo'], 'italic', 1.2, 'line', 'spacing="600" max-char-angle-delta="20"'))
    style('water-names', t)
    L.append(layer('water-names', 'water-names', ds(sql="SELECT geom, name, waterway FROM lines WHERE waterway IN ('river','canal') AND name IS NOT NULL")))
    t = ''
    major = "[highway]='primary' or [highway]='trunk' or [highway]='secondary'"
    named = "[highway]!='footway' and [highway]!='path' and [highway]!='service' and [highway]!='steps' and [highway]!='track'"
    for flt, z, zmax, size in ((major, 13, 14, 9), (named, 15, 15, 10), (named, 16, 16, 11), (named, 17, 99, 12)):
        t += '<Rule><Filter>%s</Filter>%s%s</Rule>' % (flt, scale_range(z, zmax), text(
            '[name]', size, c['text'], c['halo'], 'regular', 1.6, 'line',
            'spacing="400" max-char-angle-delta="25" minimum-padding="4" repeat-distance="200"'))
    style('road-names', t)
    L.append(layer('road-names', 'road-names', ds(sql="SELECT geom, name, highway FROM lines WHERE highway IS NOT NULL AND name IS NOT NULL ORDER BY z_order DESC")))
    # areas (parks, historic sites, campuses) and POI nodes: names from z15
    t = ''.join('<Rule><Filter>%s</Filter>%s%s</Rule>' % (f, scale_range(15), text('[name]', 10, col, c['halo'], 'italic', 1.5,
                'interior', 'wrap-width="80" minimum-padding="6"')) for f, col in (("[natural]='water'", c['water_text']),
                                                                                   ("[natural]!='water'", c['subplace'])))
    style('area-names', t)
    L.append(layer('area-names', 'area-names', ds(sql="SELECT geom, name, natural FROM multipolygons WHERE name IS NOT NULL AND building IS NULL "
                   "AND (leisure='park' OR historic IS NOT NULL OR amenity IN ('university','hospital','marketplace') OR natural='water') "
                   "AND ST_Area(geom) > 4000 AND historic IS NOT 'citywalls' ORDER BY ST_Area(geom) DESC")))
    t = ('<Rule>%s%s</Rule>' % (scale_range(14), text('[name]', 11, '#6b4a2b', c['halo'], 'bold', 1.8, 'point', 'wrap-width="90"')))
    style('poi-names', t)
    L.append(layer('poi-names', 'poi-names', ds(sql="SELECT geom, name FROM points WHERE historic IN ('castle','citadel') AND name IS NOT NULL")))
    t = ('<Rule><Filter>[name]=\'Huế\'</Filter>%s%s</Rule>' % (scale_range(11, 13), text('[name]', 18, c['place'], c['halo'], 'bold', 2)) +
         '<Rule><Filter>[place]=\'city\' or [place]=\'town\'</Filter>%s%s</Rule>' % (scale_range(12, 13), text('[name]', 11, c['place'], c['halo'], 'regular', 1.8)) +
         '<Rule><Filter>[place]=\'city\' or [place]=\'town\' or [place]=\'quarter\'</Filter>%s%s</Rule>' % (scale_range(14, 15), text('[name]', 12, c['subplace'], c['halo'], 'regular', 2, 'point', 'text-transform="uppercase" character-spacing="1"')) +
         '<Rule><Filter>[place]=\'neighbourhood\' or [place]=\'village\'</Filter>%s%s</Rule>' % (scale_range(15), text('[name]', 10, c['subplace'], c['halo'], 'regular', 2)))
    style('places', t)
    L.append(layer('places', 'places', ds(sql="SELECT geom, name, place FROM points WHERE place IS NOT NULL AND name IS NOT NULL")))

    # labels placed first win collisions: places, then landmarks, river names, street names, areas
    order = ['places', 'poi-names', 'water-names', 'road-names', 'area-names']
    L.sort(key=lambda l: next((i for i, n in enumerate(order) if '"%s"' % n in l), -1))
    fonts = ''.join('<FontSet name="%s"><Font face-name="Noto Sans %s"/><Font face-name="DejaVu Sans %s"/></FontSet>'
                    % (n, a, b) for n, a, b in (('regular', 'Regular', 'Book'), ('bold', 'Bold', 'Bold'),
                                                ('italic', 'Italic', 'Oblique')))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<Map srs="%s" background-color="%s">\n%s\n%s\n%s\n</Map>\n'
            % (MERC, c['land'], fonts, '\n'.join(S), '\n'.join(L)))

# ----------------------------------------------------------------- data ----
def prepare(pbf, work, bbox):
    gpkg = os.path.join(work, 'osm.gpkg')
    b = [bbox[0] - .05, bbox[1] - .05, bbox[2] + .05, bbox[3] + .05]
    conf = os.path.join(work, 'osmconf.ini')  # add a few tags to GDAL's default OSM schema
    src = open('/usr/share/gdal/osmconf.ini', encoding='utf-8').read()
    src = src.replace('attributes=name,barrier,highway,ref,address,is_in,place,man_made',
                      'attributes=name,barrier,highway,ref,place,man_made,amenity,tourism,historic,railway')
    src = src.replace('attributes=name,highway,waterway,aerialway,barrier,man_made,railway',
                      'attributes=name,highway,waterway,railway,ref,bridge,tunnel,layer,service,barrier,historic,natural')
    src = src.replace('attributes=name,type,aeroway,amenity,admin_level,barrier,boundary,building,craft,geological,historic,'
                      'land_area,landuse,leisure,man_made,military,natural,office,place,shop,sport,tourism',
                      'attributes=name,type,amenity,building,historic,landuse,leisure,natural,water,waterway,place,tourism')
    open(conf, 'w', encoding='utf-8').write(src)
    subprocess.run(['ogr2ogr', '-f', 'GPKG', gpkg, pbf, '-overwrite', '-oo', 'CONFIG_FILE=' + conf,
                    '-t_srs', 'EPSG:3857', '-spat', *map(str, b), '-spat_srs', 'EPSG:4326',
                    'points', 'lines', 'multipolygons'], check=True)
    # sea: OSM has no sea polygons, only coastline ways with the sea on their right. Chain the
    # coastline and close it clockwise along a box around the bbox (works if it is one chain).
    gj = subprocess.run(['ogr2ogr', '-f', 'GeoJSON', '/vsistdout/', gpkg, '-t_srs', 'EPSG:4326', '-sql',
                         "SELECT geom FROM lines WHERE natural='coastline'"], check=True, capture_output=True).stdout
    parts = [f['geometry']['coordinates'] for f in json.loads(gj)['features']]
    if not parts:
        return gpkg, None
    chain = parts.pop(0)
    while parts:
        for p in parts:
            if p[0] == chain[-1]: chain += p[1:]; break
            if p[-1] == chain[0]: chain = p + chain[1:]; break
        else:
            print('coastline is not one chain; no sea drawn', file=sys.stderr); return gpkg, None
        parts.remove(p)
    x0, y0, x1, y1 = b[0] - 1, b[1] - 1, b[2] + 1, b[3] + 1
    def perim(p):  # position along the box boundary, clockwise from the top-left corner
        x, y = p; d = [abs(y - y1), abs(x - x1), abs(y - y0), abs(x - x0)]; e = d.index(min(d))
        return [x - x0, (x1 - x0) + (y1 - y), (x1 - x0) + (y1 - y0) + (x1 - x), 2 * (x1 - x0) + (y1 - y0) + (y - y0)][e]
    def proj(p, q):  # continue the coastline straight from q through p until it hits the box
        dx, dy = p[0] - q[0], p[1] - q[1]
        t = min([(x1 - p[0]) / dx if dx > 0 else (x0 - p[0]) / dx if dx < 0 else 1e9,
                 (y1 - p[1]) / dy if dy > 0 else (y0 - p[1]) / dy if dy < 0 else 1e9])
        return [p[0] + t * dx, p[1] + t * dy]
    a, z = proj(chain[-1], chain[-4]), proj(chain[0], chain[3])
    corners = [(0, [x0, y1]), (x1 - x0, [x1, y1]), ((x1 - x0) + (y1 - y0), [x1, y0]), (2 * (x1 - x0) + (y1 - y0), [x0, y0])]
    per = 2 * ((x1 - x0) + (y1 - y0)); pa, pz = perim(a), perim(z)
    ring = chain + [a] + [c for _, c in sorted(corners, key=lambda t: (t[0] - pa) % per) if (0 < (_ - pa) % per < (pz - pa) % per)] + [z, chain[0]]
    sea = os.path.join(work, 'sea.geojson')
    json.dump({'type': 'FeatureCollection', 'features': [{'type': 'Feature', 'properties': {},
               'geometry': {'type': 'Polygon', 'coordinates': [ring]}}]}, open(sea, 'w'))
    return gpkg, sea

# --------------------------------------------------------------- render ----
def tile_xy(lon, lat, z):
    n = 2 ** z
    return (int((lon + 180) / 360 * n),
            int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n))

_map = None
def init(xml, fmt):
    global _map, FMT
    mapnik.register_fonts('/usr/share/fonts/truetype/')
    _map = mapnik.Map(256 * META, 256 * META)
    mapnik.load_map_from_string(_map, xml)
    _map.buffer_size = 128
    FMT = fmt

def render(job):
    z, mx, my, tiles = job
    n, span = 2 ** z, 2 * R / 2 ** z
    _map.zoom_to_box(mapnik.Box2d(-R + mx * span, R - (my + META) * span, -R + (mx + META) * span, R - my * span))
    im = mapnik.Image(_map.width, _map.height)
    mapnik.render(_map, im)
    return [(z, x, y, im.view((x - mx) * 256, (y - my) * 256, 256, 256).tostring(FMT)) for x, y in tiles]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('pbf'); ap.add_argument('out')
    ap.add_argument('--bbox', default='107.50,16.40,107.70,16.60')
    ap.add_argument('--zooms', default='11-16')
    ap.add_argument('--fmt', default='png8:m=h:z=9', help="mapnik image format: png8[:...] (palette) or png32")
    ap.add_argument('--mbtiles'); ap.add_argument('--jobs', type=int, default=os.cpu_count())
    ap.add_argument('--dark', action='store_true'); ap.add_argument('--no-dir', action='store_true')
    a = ap.parse_args()
    bbox = [float(v) for v in a.bbox.split(',')]
    z0, z1 = map(int, a.zooms.split('-'))
    work = os.path.join(os.path.dirname(os.path.abspath(a.out)), 'work'); os.makedirs(work, exist_ok=True)
    t0 = time.time()
    gpkg, sea = prepare(a.pbf, work, bbox)
    xml = style_xml(gpkg, sea, DARK if a.dark else LIGHT)
    open(os.path.join(work, 'style.xml'), 'w', encoding='utf-8').write(xml)
    t1 = time.time()
    jobs = []
    for z in range(z0, z1 + 1):
        (xa, ya), (xb, yb) = tile_xy(bbox[0], bbox[3], z), tile_xy(bbox[2], bbox[1], z)
        for mx in range(xa - xa % META, xb + 1, META):
            for my in range(ya - ya % META, yb + 1, META):
                t = [(x, y) for x in range(max(mx, xa), min(mx + META, xb + 1)) for y in range(max(my, ya), min(my + META, yb + 1))]
                jobs.append((z, mx, my, t))
    db = None
    if a.mbtiles:
        if os.path.exists(a.mbtiles): os.remove(a.mbtiles)
        db = sqlite3.connect(a.mbtiles)
        db.executescript('CREATE TABLE metadata (name text, value text);'
                         'CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);'
                         'CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);')
        db.executemany('INSERT INTO metadata VALUES (?,?)', [
            ('name', 'hue'), ('format', 'png'), ('type', 'baselayer'), ('minzoom', str(z0)), ('maxzoom', str(z1)),
            ('bounds', a.bbox), ('attribution', '© OpenStreetMap contributors'), ('version', '1')])
    count = size = 0
    with Pool(a.jobs, init, (xml, a.fmt)) as pool:
        for res in pool.imap_unordered(render, jobs):
            for z, x, y, png in res:
                count += 1; size += len(png)
                if not a.no_dir:
                    d = os.path.join(a.out, str(z), str(x)); os.makedirs(d, exist_ok=True)
                    open(os.path.join(d, '%d.png' % y), 'wb').write(png)
                if db:
                    db.execute('INSERT INTO tiles VALUES (?,?,?,?)', (z, x, 2 ** z - 1 - y, png))
    if db:
        db.commit(); db.execute('VACUUM'); db.close()
    print('prepare %.1fs, render %.1fs, %d tiles, %.1f MB' % (t1 - t0, time.time() - t1, count, size / 1e6))

if __name__ == '__main__':
    main()
